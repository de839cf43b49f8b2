import ArgumentParser
import Foundation
import TerminalBackend

/// Every command names itself in its configuration: deriving a name from the type costs a
/// conformance search through the whole binary, milliseconds of every run.
@main
struct Plumb: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "plumb",
        abstract: "Keep a machine true to what git declares, and show where it is not.",
        discussion: """
            Every command reads the source with --repo, --branch and --path, and acts on --target. \
            The same values come from PLUMB_REPO, PLUMB_BRANCH, PLUMB_PATH, PLUMB_TARGET and PLUMB_STATE.
            """,
        version: "plumb \(version) (\(TerminalLibrary.version))",
        subcommands: [UI.self, Demo.self, Init.self, Status.self, Diff.self, Sync.self, Agent.self, History.self, Rollback.self,
                      Proposals.self, Approve.self, Reject.self, Check.self, Events.self, Themes.self],
        defaultSubcommand: UI.self
    )

    static func main() async {
        LogSetup.bootstrap()
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            // A mistake on the command line is one sentence and exit status 1, like any other error.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("plumb: \(message(for: error)) (see plumb help)\n".utf8))
                Foundation.exit(1)
            }
            exit(withError: error)
        }
    }
}
