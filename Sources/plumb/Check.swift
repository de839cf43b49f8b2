import ArgumentParsing
import DesiredState
import Engine
import Foundation
import VersionSource

struct Check: Command {
    static let summary = CommandSummary(
        name: "check", abstract: "Validate manifests and policy for a proposal or a revision: for CI.",
        discussion: """
            Without arguments, checks the branch head. Needs no target: without --target \
            (or PLUMB_TARGET) it reads the source into a temporary state dir, removed after. A \
            revision the mirror lacks is fetched from the source by name. Policy always comes from the branch head. Exit status: 0 pass, 1 fail.
            """)

    var options = SourceOptions()
    var proposal: String?
    var revision: String?

    static var parameters: [Parameter<Check>] {
        Parameter.group(\.options) + [
            .option(\.proposal, "proposal", value: "name", help: "Check this proposal, as approving it would."),
            .argument(\.revision, value: "rev", help: "A revision to check: a sha, a branch or a tag at the source."),
        ]
    }

    func validate() throws(UsageError) {
        if proposal != nil && revision != nil { throw UsageError("give --proposal NAME or a revision, not both") }
    }

    func run() async throws {
        try await reportingErrors {
            // CI has no target: the check then works in a folder of its own, removed after.
            let scratch = try temporaryFolder("plumb-check")
            defer { try? FileManager.default.removeItem(atPath: scratch) }
            let engine = try await Engine(config: options.config(scratch: scratch), use: .observing)
            if !options.noFetch { try await engine.fetch() }
            let head = try await engine.currentHead()
            let what: String, changes: [ResourceChange], reasons: [String], checks: [CheckRun]
            if let proposal {
                let review = try await engine.reviewProposal(named: proposal, head: head)
                try engine.journalViolations(review)
                (what, changes, reasons, checks) = ("\(review.proposal.branch) at \(review.proposal.head.prefix(12))", review.changes, review.refusals, review.checks)
            } else {
                let sha = try await resolve(revision ?? head, engine: engine)
                let verdict = try await engine.check(revision: sha, head: head)
                (what, changes, reasons, checks) = ("\(sha.prefix(12))", verdict.changes, verdict.violations.map(\.description), verdict.checks)
            }
            print("\(reasons.isEmpty ? "pass" : "FAIL"): \(what.escapingControlCharacters), \(changes.count) resource change(s) against \(head.prefix(12))")
            for reason in reasons { print("  - \(reason)") }
            for check in checks {
                print("  check \(check.name.escapingControlCharacters): \(check.result)")
                if !check.passed { for line in check.lastLines(20) { print("    | \(line)") } }
            }
            if !reasons.isEmpty { throw ExitCode(1) }
        }
    }

    /// The commit a revision names, fetching it from the source when the mirror lacks it.
    private func resolve(_ name: String, engine: Engine) async throws -> String {
        if let sha = try await engine.mirror.resolve(name) { return sha }
        if !options.noFetch, let sha = try await engine.mirror.fetchRevision(name) { return sha }
        throw StateError("no revision \(name.escapingControlCharacters) in the mirror or at \(engine.config.source.url)")
    }
}
