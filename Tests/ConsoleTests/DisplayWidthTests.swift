import Console
import Testing

/// Column widths and wrapping, as a terminal draws them.
@Suite struct DisplayWidthTests {
    @Test func elidesTheMiddleOfALongPath() {
        #expect(DisplayWidth.elidingMiddle("/srv/git/site.git", to: 40) == "/srv/git/site.git")
        let cut = DisplayWidth.elidingMiddle("/tmp/plumb-test-7YlgRc/a/very/long/path/source.git", to: 24)
        #expect(cut == "/tmp/plumb-t…/source.git")
        #expect(DisplayWidth.of(cut) == 24)
    }

    /// A diff line's spaces are its content: kept inside a line, dropped only where it breaks.
    @Test func wrappingKeepsTheSpacesInsideALine() {
        #expect(DisplayWidth.wrap("+    listen 80;   # the port", to: 40) == ["+    listen 80;   # the port"])
        #expect(DisplayWidth.wrap("+    server_name example.org www.example.org;", to: 24) == [
            "+    server_name",
            "  example.org",
            "  www.example.org;",
        ])
    }

    @Test func theDetailPaneWrapsALongDiffLineBetweenWords() {
        var state = ConsoleFixture.state()
        ConsoleFixture.press([.char("j"), .char("j")], &state)
        let long = "+    add_header Content-Security-Policy \"default-src 'self'; img-src 'self' data:; frame-ancestors 'none'\" always;"
        _ = Update.update(&state, .diffLoaded(epoch: state.resources.detailEpoch, lines: ["@@ -0,0 +1 @@", long]))
        let screen = Views.render(state).text.split(separator: "\n").map(String.init)
        guard let first = screen.firstIndex(where: { $0.contains("+    add_header") }) else { Issue.record("no diff line: \(screen)"); return }
        // The rows the line takes (80x24: the pane is below the list, as wide as the screen).
        let rows = screen[first...].prefix(2)
        let words = Set(long.split(separator: " "))
        let shown = rows.flatMap { $0.split(separator: " ") }
        #expect(shown.allSatisfy { words.contains($0) }, "only whole words, none cut: \(rows)")
        #expect(shown.count == words.count && shown.last == "always;", "nothing lost: \(rows)")
    }

    @Test func wrapsBetweenWordsAndIndentsWhatFollows() {
        #expect(DisplayWidth.wrap("short enough", to: 20) == ["short enough"])
        #expect(DisplayWidth.wrap("✗ no-world-writable: File/motd: files must not be world-writable", to: 24) == [
            "✗ no-world-writable:",
            "  File/motd: files must",
            "  not be world-writable",
        ])
        let lines = DisplayWidth.wrap("  plan: \(String(repeating: "x", count: 30)) end", to: 12)
        #expect(lines.allSatisfy { DisplayWidth.of($0) <= 12 }, "a word longer than a line is cut: \(lines)")
        #expect(lines.joined().filter { $0 == "x" }.count == 30, "and nothing of it is lost")
        #expect(DisplayWidth.wrap("漢字漢字漢字 end", to: 6).allSatisfy { DisplayWidth.of($0) <= 6 }, "wide characters count two")
    }
}
