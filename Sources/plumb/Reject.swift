import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Reject: Command {
    static let summary = CommandSummary(
        name: "reject", abstract: "Delete a proposal branch at the source, journalling why.",
        discussion: "Only while the branch is at the head read now: commits pushed to it meanwhile are never lost.")

    var options = SourceOptions()
    var name = ""
    var reason: String?
    var yes = false

    static var parameters: [Parameter<Reject>] {
        Parameter.group(\.options) + [
            .argument(\.name, value: "name", help: "The proposal: NAME or proposal/NAME."),
            .option(\.reason, "reason", value: "text", help: "Why, for the journal (ProposalRejected)."),
            .flag(\.yes, "yes", help: "Do not ask before deleting."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine()
            if !options.noFetch { try await engine.fetch() }
            let proposal = try await engine.proposal(named: name)
            try confirm("Delete \(proposal.branch.escapingControlCharacters) (at \(proposal.head.prefix(12))) at \(engine.config.source.url)?", yes: yes)
            try await engine.reject(proposal, reason: reason)
            print("rejected \(proposal.branch.escapingControlCharacters)")
        }
    }
}
