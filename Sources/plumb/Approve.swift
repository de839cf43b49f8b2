import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Approve: Command {
    static let summary = CommandSummary(
        name: "approve", abstract: "Merge a proposal into the branch, pinned to the head you reviewed.",
        discussion: """
            Always a merge commit (trailers Approved-by and Proposal-head), pushed with a plain push; \
            then the proposal branch is deleted at the source. Refused, with nothing changed, when the \
            policy fails, the merge conflicts, the proposal is not at --expect, or the push is rejected. \
            Prints the merge commit's id.
            """)

    var options = SourceOptions()
    var name = ""
    var expect: String?
    var yes = false

    static var parameters: [Parameter<Approve>] {
        Parameter.group(\.options) + [
            .argument(\.name, value: "name", help: "The proposal: NAME or proposal/NAME."),
            .option(\.expect, "expect", value: "sha", help: "The proposal head you reviewed (a sha or a prefix of 7 or more); default: the head read now."),
            .flag(\.yes, "yes", help: "Do not ask before pushing."),
        ]
    }

    func validate() throws(UsageError) {
        if let expect, expect.count < 7 || !expect.allSatisfy(\.isHexDigit) {
            throw UsageError("--expect \(expect.escapingControlCharacters) is not a commit id: give 7 to 40 hex digits")
        }
    }

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine()
            if !options.noFetch { try await engine.fetch() }
            let review = try await engine.reviewProposal(named: name, head: try await engine.currentHead())
            if let expect, !review.proposal.head.hasPrefix(expect.lowercased()) {
                throw StateError("\(review.proposal.branch) is at \(review.proposal.head.prefix(12)) now, not \(expect): it moved since you reviewed it; nothing changed")
            }
            _ = try await engine.mirror.identity()
            if review.refusals.isEmpty {
                FileHandle.standardError.write(Data("""
                    Approve \(review.proposal.branch.escapingControlCharacters) at \(review.proposal.head.prefix(12)) \
                    (\(review.title.escapingControlCharacters)) into \(engine.config.source.branch) at \(review.base.prefix(12)):
                    \(renderChanges(review.changes))

                    """.utf8))
                try confirm("Merge and push to \(engine.config.source.url)?", yes: yes)
            }
            let (commit, kept) = try await engine.approve(review)
            if let kept { FileHandle.standardError.write(Data("plumb: merged, but the proposal branch was kept: \(kept)\n".utf8)) }
            print(commit)
        }
    }
}
