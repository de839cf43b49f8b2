import Testing
import DesiredState

/// Text from git or from files is shown with control characters escaped, so it can never drive
/// the terminal.
@Suite struct SafeTextTests {
    @Test(arguments: [
        ("\u{1B}[2J", "\\e[2J"),
        ("line one\nline two", "line one\\nline two"),
        ("a\tb\rc", "a\\tb\\rc"),
        ("bell\u{07}", "bell\\x07"),
        ("nul\u{0}", "nul\\x00"),
        ("del\u{7F}", "del\\x7f"),
        ("next line\u{85}", "next line\\u{85}"),
        ("csi\u{9B}31m", "csi\\u{9b}31m"),
        ("txt.\u{202E}fdp", "txt.\\u{202e}fdp"),
        ("\u{2066}isolate\u{2069}", "\\u{2066}isolate\\u{2069}"),
    ])
    func escapes(_ raw: String, _ shown: String) {
        #expect(raw.escapingControlCharacters == shown)
    }

    @Test(arguments: ["plain text", "caf\u{E9} \u{65E5}\u{672C} \u{1F600}", "", "a\\nb (a backslash, not a newline)", "\u{200B}zero width"])
    func leavesPrintableTextUntouched(_ text: String) {
        #expect(text.escapingControlCharacters == text)
    }

    @Test func escapedTextHoldsNoControlCharacter() {
        let hostile = (0..<0xA0).map { String(UnicodeScalar(UInt8($0))) }.joined() + "\u{202A}\u{202B}\u{202C}\u{202D}\u{202E}\u{2066}\u{2067}\u{2068}\u{2069}"
        let shown = hostile.escapingControlCharacters
        #expect(!shown.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) || (0x202A...0x202E).contains($0.value) || (0x2066...0x2069).contains($0.value) })
        #expect(shown.contains(" !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"))
    }

    @Test func diagnosticsEscapeTheirMessage() {
        let diagnostic = Diagnostic(SourceLocation(file: "resources/a.yaml", line: 3, column: 5), "name \u{1B}]0;pwned\u{07} is bad")
        #expect(diagnostic.description == "resources/a.yaml:3:5: name \\e]0;pwned\\x07 is bad")
    }
}

/// Durations as `plumb.yaml` and the command line write them.
@Suite struct DurationParseTests {
    @Test(arguments: [
        ("500ms", Duration.milliseconds(500)),
        ("30s", .seconds(30)),
        ("5m", .seconds(300)),
        ("1h", .seconds(3600)),
        ("1.5s", .milliseconds(1500)),
        ("0s", .zero),
    ])
    func parses(_ text: String, _ duration: Duration) {
        #expect(Duration.parse(text) == duration)
    }

    @Test(arguments: ["", "30", "s", "ms", "-5s", "5 m", " 5m", "5d", "fives", "1h30m", "nans", "infs", "5M", "10 minutes"])
    func refuses(_ text: String) {
        #expect(Duration.parse(text) == nil)
    }

    // A value beyond Int64 milliseconds must be refused, not trap: run in a child process, since
    // a trap would end the test run.
    @Test func hugeDurationIsRefusedWithoutCrashing() async {
        await #expect(processExitsWith: .success) {
            precondition(Duration.parse("1e20s") == nil)
            precondition(Duration.parse("99999999999999999h") == nil)
        }
    }
}
