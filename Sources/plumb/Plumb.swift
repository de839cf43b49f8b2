import ArgumentParsing
import Foundation
import TerminalBackend
import VersionSource

/// `plumb <command> ...` runs that command; `plumb` alone, or with only the console's options,
/// opens the console. The line is read before anything else is set up, so a mistake on it or
/// `--version` costs no more than the program's start.
@main
enum Plumb {
    static let name = "plumb"
    static let version = "0.1.0"

    static var program: Program { Program(
        name: name,
        version: "plumb \(version) (\(TerminalLibrary.version))",
        abstract: "Keep a machine true to what git declares, and show where it is not.",
        discussion: """
            Every command reads the source with --repo, --branch and --path, and acts on --target. \
            The same values come from PLUMB_REPO, PLUMB_BRANCH, PLUMB_PATH, PLUMB_TARGET and PLUMB_STATE.
            """,
        commands: [UI.self, Demo.self, Init.self, Status.self, Diff.self, Sync.self, Agent.self, History.self, Rollback.self,
                   Proposals.self, Approve.self, Reject.self, Check.self, Events.self, Themes.self],
        defaultCommand: UI.self) }

    static func main() async {
        let invocation: Program.Invocation
        do {
            invocation = try program.parse(Array(CommandLine.arguments.dropFirst()))
        } catch {
            // A mistake on the command line is one sentence and exit status 1, like any other error.
            FileHandle.standardError.write(Data("plumb: \(error.description.escapingControlCharacters) (see plumb help)\n".utf8))
            exit(1)
        }
        switch invocation {
        case .print(let text):
            FileHandle.standardOutput.write(Data(text.utf8))
        case .run(let command):
            if !(command is RunsUntilStopped) { HeapGrowth.inLargeSteps() }
            LogSetup.bootstrap()
            do {
                try await command.run()
            } catch let code as ExitCode {
                exit(code.status)
            } catch {
                report(error)
                exit(1)
            }
        }
    }
}
