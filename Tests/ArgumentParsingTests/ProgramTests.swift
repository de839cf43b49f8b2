import Testing
@testable import ArgumentParsing

/// The command a program runs when none is named: options only.
struct Console: Command {
    static let summary = CommandSummary(name: "ui", abstract: "The console.")
    var theme = "default"
    static var parameters: [Parameter<Console>] { [.option(\.theme, "theme", value: "name", help: "The theme.")] }
    func run() async throws {}
}

let program = Program(name: "plumb", version: "plumb 0.1.0", abstract: "Keep a machine true.", discussion: "",
                      commands: [Console.self, Sample.self], defaultCommand: Console.self)

/// What `plumb <words>` would do: the text printed, the command run, or the mistake told.
func outcome(_ words: String...) -> String {
    do {
        switch try program.parse(words) {
        case .print(let text): return text
        case .run(let command as Console): return "ui theme=\(command.theme)"
        case .run(let command as Sample): return "sample \(command.name)"
        case .run(let command): return "other \(command)"
        }
    } catch {
        return "mistake: \(error)"
    }
}

@Suite struct ProgramTests {
    @Test func aCommandsNameRunsIt() {
        #expect(outcome("sample", "web") == "sample web")
        #expect(outcome("sample") == "mistake: Missing expected argument '<name>'")
    }

    @Test func anyOtherLineIsTheDefaultCommands() {
        #expect(outcome() == "ui theme=default")
        #expect(outcome("--theme", "light") == "ui theme=light")
        #expect(outcome("--bogus") == "mistake: Unknown option '--bogus'")
        #expect(outcome("sampel") == "mistake: Unknown command 'sampel'. Did you mean 'sample'?")
    }

    @Test func helpAndTheVersion() {
        #expect(outcome("--version") == "plumb 0.1.0\n")
        #expect(outcome("help", "sample") == HelpText.command(Sample.self, program: "plumb"))
        #expect(outcome("sample", "--help") == HelpText.command(Sample.self, program: "plumb"))
        #expect(outcome("help", "nothing") == "mistake: Unknown command 'nothing'")
        #expect(outcome("help", "sample", "extra") == "mistake: Unexpected argument 'extra'")
        for words in [["--help"], ["-h"], ["help"], ["help", "help"]] {
            #expect((try? program.parse(words)).map { if case .print(let text) = $0 { text } else { "" } } == HelpText.program(program))
        }
        #expect(HelpText.program(program) == """
            OVERVIEW: Keep a machine true.

            USAGE: plumb <subcommand>

            OPTIONS:
              --version               Show the version.
              -h, --help              Show help information.

            SUBCOMMANDS:
              ui (default)            The console.
              sample                  Try every kind of parameter.

              See 'plumb help <subcommand>' for detailed help.

            """)
    }
}
