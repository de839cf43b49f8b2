import ArgumentParser
import DesiredState
import Engine
import Foundation

struct Reject: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reject", _superCommandName: Plumb.name,
        abstract: "Delete a proposal branch at the source, journalling why.",
        discussion: "Only while the branch is at the head read now: commits pushed to it meanwhile are never lost.")

    @OptionGroup var options: SourceOptions

    @Argument(help: ArgumentHelp("The proposal: NAME or proposal/NAME.", valueName: "name"))
    var name: String

    @Option(help: ArgumentHelp("Why, for the journal (ProposalRejected).", valueName: "text"))
    var reason: String?

    @Flag(help: "Do not ask before deleting.")
    var yes = false

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
