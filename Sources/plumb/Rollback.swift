import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Rollback: Command {
    static let summary = CommandSummary(
        name: "rollback", abstract: "Make a new commit on the branch whose files are those of REV, and push it.",
        discussion: """
            The history is kept: the new commit follows the head, with trailers Rollback-of and \
            Requested-by. The plan is shown first, judged by the head's policy as a proposal is: a \
            plan that breaks it is refused unless --override-policy gives the reason. Without --yes \
            plumb asks. If the branch moved at the source meanwhile, nothing changes. Prints the new \
            commit's id.
            """)

    var options = SourceOptions()
    var revision = ""
    var yes = false
    var overridePolicy: String?

    static var parameters: [Parameter<Rollback>] {
        Parameter.group(\.options) + [
            .argument(\.revision, value: "rev", help: "The revision of the branch to go back to: a sha, a prefix of one, or a name git knows."),
            .flag(\.yes, "yes", help: "Do not ask before pushing."),
            .option(\.overridePolicy, "override-policy", value: "reason", help: "Roll back even though the plan breaks the head's policy; the reason is journalled and written in the commit as Policy-override."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine()
            if !options.noFetch { try await engine.fetch() }
            let plan = try await engine.planRollback(to: revision)
            _ = try await engine.mirror.identity()
            FileHandle.standardError.write(Data("""
                Roll back \(engine.config.source.branch) from \(plan.head.prefix(12)) to \(plan.restore.short) \
                (\(plan.restore.subject.escapingControlCharacters)):
                \(renderChanges(plan.changes))

                """.utf8))
            // Refused before the question: there is nothing to confirm.
            if let refusal = plan.policyRefusal {
                guard let overridePolicy, !overridePolicy.trimmingCharacters(in: .whitespaces).isEmpty else { throw StateError(refusal) }
                FileHandle.standardError.write(Data(("It breaks the policy of \(plan.head.prefix(12)), overridden (\(overridePolicy)):\n"
                    + plan.violations.map { "  \($0)" }.joined(separator: "\n") + "\n\n").escapingControlCharactersByLine.utf8))
            }
            try confirm("Push this rollback to \(engine.config.source.url)?", yes: yes)
            print(try await engine.rollback(plan, overridePolicy: overridePolicy))
        }
    }
}
