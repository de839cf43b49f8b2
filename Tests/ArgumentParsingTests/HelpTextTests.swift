import Testing
@testable import ArgumentParsing

@Suite struct HelpTextTests {
    /// Reviewed against swift-argument-parser's layout, which plumb's help had before.
    @Test func aCommandsHelpInItsSections() {
        #expect(HelpText.command(Sample.self, program: "plumb") == """
            OVERVIEW: Try every kind of parameter.

            Exit status: 0.

            USAGE: plumb sample [<options>] <name> [<rev>] [<id> ...]

            ARGUMENTS:
              <name>                  A name.
              <rev>                   A revision.
              <id>                    Resources.

            OPTIONS:
              --repo <url|path>       The source.
              --no-fetch              Do not fetch.
              -a, --all               All of them.
              -f, --follow            Keep going.
              -n <N>                  Only N.
              --reason <text>         Why.
              --mode <how>            How. (values: fast, safe)
              --theme <name>          The theme. (default: default)
              -h, --help              Show help information.


            """)
    }

    @Test func aShortUsageListsEveryOption() {
        let parameters: [Parameter<Shared>] = Shared.parameters
        #expect(HelpText.usage("plumb shared", parameters) == "plumb shared [--repo <url|path>] [--no-fetch]")
    }

    @Test func longTextWrapsUnder80ColumnsInItsColumn() {
        let text = String(repeating: "word ", count: 40)
        let lines = HelpText.row("--a-very-long-option <value>", text)
        #expect(lines[0] == "  --a-very-long-option <value>")
        #expect(lines.dropFirst().allSatisfy { $0.hasPrefix(String(repeating: " ", count: 26) + "word") && $0.count < 80 })
        let short = HelpText.row("--x", text)
        #expect(short[0].hasPrefix("  --x" + String(repeating: " ", count: 21) + "word word") && short.allSatisfy { $0.count < 80 })
        #expect(HelpText.wrapped("one\n\ntwo", indent: 0) == ["one", "", "two"])
    }
}
