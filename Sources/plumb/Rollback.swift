import ArgumentParser
import DesiredState
import Engine
import Foundation

struct Rollback: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Make a new commit on the branch whose files are those of REV, and push it.",
        discussion: """
            The history is kept: the new commit follows the head, with trailers Rollback-of and \
            Requested-by. The plan is shown first; without --yes plumb asks. If the branch moved at \
            the source meanwhile, nothing changes. Prints the new commit's id.
            """)

    @OptionGroup var options: SourceOptions

    @Argument(help: ArgumentHelp("The revision of the branch to go back to: a sha, a prefix of one, or a name git knows.", valueName: "rev"))
    var revision: String

    @Flag(help: "Do not ask before pushing.")
    var yes = false

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
            try confirm("Push this rollback to \(engine.config.source.url)?", yes: yes)
            print(try await engine.rollback(plan))
        }
    }
}
