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
