import ArgumentParser
import Foundation
import TerminalBackend

/// Every command names itself in its configuration: deriving a name from the type costs a
/// conformance search through the whole binary, milliseconds of every run.
///
/// `plumb <command> ...` is parsed by that command alone, as a root of its own whose usage still
/// reads `plumb <command>` (`_superCommandName`); `plumb` alone is the console, and `plumb
/// --version` is printed before anything else is set up. Only other arguments (`--help`, options
/// of the console, completion requests) go through the whole tree: parsing it looks for a
/// completion request first by parsing the arguments twice more, each parse building its argument
/// sets by reflection, 3 of the 4.5 ms the parser took in every run.
@main
struct Plumb: AsyncParsableCommand {
    static let name = "plumb"
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: name,
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
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"] {
            print(configuration.version)
            return
        }
        LogSetup.bootstrap()
        let (parser, rest) = parser(for: arguments)
        do {
            var command = try parser.parseAsRoot(rest)
            if var command = command as? AsyncParsableCommand { try await command.run() } else { try command.run() }
        } catch {
            // A mistake on the command line is one sentence and exit status 1, like any other error.
            if parser.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data("plumb: \(parser.message(for: error)) (see plumb help)\n".utf8))
                Foundation.exit(1)
            }
            parser.exit(withError: error)
        }
    }

    /// The command that parses `arguments`, and what it is given of them; `plumb help <command>`
    /// is that command's own `--help`.
    static func parser(for arguments: [String]) -> (ParsableCommand.Type, [String]) {
        guard let first = arguments.first else { return (UI.self, []) }
        if let command = command(named: first) { return (command, Array(arguments.dropFirst())) }
        if first == "help", arguments.count == 2, let command = command(named: arguments[1]) { return (command, ["--help"]) }
        return (Plumb.self, arguments)
    }

    static func command(named name: String) -> ParsableCommand.Type? {
        configuration.subcommands.first { $0.configuration.commandName == name }
    }
}
