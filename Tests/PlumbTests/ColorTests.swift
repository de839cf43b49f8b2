import Foundation
import Testing
import TestSupport

/// `--color` with the real binary: colour on a terminal (a real pty, through `script`), none to
/// a pipe or with `NO_COLOR`, always with `--color always`, and the words stay either way.
@Suite struct ColorTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec: {path: etc/motd, content: \"welcome\\n\"}\n")
        try fx.source.commit("motd")
        try fx.plumb("sync")
        try fx.target.write("etc/motd", "hand edit\n")
    }

    /// `plumb ARGS` on a pseudo-terminal, as an operator's shell runs it; `swift test` sets
    /// NO_COLOR for what it runs, so it is unset unless the test sets it.
    func onATerminal(_ arguments: String, noColor: Bool = false) throws -> String {
        try run("env", (noColor ? ["NO_COLOR=1"] : ["-u", "NO_COLOR"])
                + ["script", "-qec", "\(TmuxSession.quote(PlumbBinary.path)) \(arguments)", "/dev/null"],
                env: fx.environment.merging(["TERM": "xterm-256color"]) { _, new in new }).stdout
    }

    @Test func aTerminalGetsGitsColoursAndAPipeGetsNone() throws {
        let status = try onATerminal("status")
        #expect(status.contains("\u{1B}[33mOutOfSync\u{1B}[0m") && status.contains("\u{1B}[31mmodified\u{1B}[0m"), "\(status)")
        let diff = try onATerminal("diff")
        #expect(diff.contains("\u{1B}[31m-hand edit\u{1B}[0m") && diff.contains("\u{1B}[32m+welcome\u{1B}[0m"), "\(diff)")
        #expect(diff.contains("\u{1B}[36m@@ -1,1 +1,1 @@\u{1B}[0m"))
        let piped = try fx.plumb("status").stdout + (try fx.plumb("diff").stdout)
        #expect(!piped.contains("\u{1B}"), "a pipe gets plain text")
        #expect(piped.contains("OutOfSync") && piped.contains("-hand edit"))
    }

    @Test func noColorAndNeverWinOnATerminalAndAlwaysColoursAPipe() throws {
        #expect(!(try onATerminal("status", noColor: true)).contains("\u{1B}["))
        #expect(!(try onATerminal("status --color never")).contains("\u{1B}["))
        #expect(try fx.plumb("status", "--color", "always").stdout.contains("\u{1B}[33mOutOfSync"))
        let bad = try fx.plumb("status", "--color", "sometimes")
        #expect(bad.status != 0 && bad.stderr.contains("sometimes"), "\(bad.stderr)")
    }
}
