import Testing
import Engine

/// `plumb diff` output: the unified format of `diff -u` and `git diff`, three lines of context.
@Suite struct UnifiedDiffTests {
    /// "1\n2\n...\n<count>\n", one number per line.
    func numbered(_ count: Int, replacing replacements: [Int: String] = [:]) -> String {
        (1...count).map { replacements[$0] ?? String($0) }.joined(separator: "\n") + "\n"
    }

    @Test func oneChangedLineInTheMiddleHasThreeLinesOfContext() {
        #expect(UnifiedDiff.lines(old: numbered(10), new: numbered(10, replacing: [5: "five"])) == [
            "@@ -2,7 +2,7 @@",
            " 2",
            " 3",
            " 4",
            "-5",
            "+five",
            " 6",
            " 7",
            " 8",
        ])
    }

    @Test func insertionAtTheStart() {
        #expect(UnifiedDiff.lines(old: "a\nb\nc\nd\ne\n", new: "new\na\nb\nc\nd\ne\n") == [
            "@@ -1,3 +1,4 @@",
            "+new",
            " a",
            " b",
            " c",
        ])
    }

    @Test func deletionAtTheEnd() {
        #expect(UnifiedDiff.lines(old: "a\nb\nc\nd\ne\n", new: "a\nb\nc\nd\n") == [
            "@@ -2,4 +2,3 @@",
            " b",
            " c",
            " d",
            "-e",
        ])
    }

    @Test func twoDistantChangesGiveTwoHunks() {
        #expect(UnifiedDiff.lines(old: numbered(20), new: numbered(20, replacing: [2: "two", 18: "eighteen"])) == [
            "@@ -1,5 +1,5 @@",
            " 1",
            "-2",
            "+two",
            " 3",
            " 4",
            " 5",
            "@@ -15,6 +15,6 @@",
            " 15",
            " 16",
            " 17",
            "-18",
            "+eighteen",
            " 19",
            " 20",
        ])
    }

    @Test func laterHunkCountsTheLinesAddedByAnEarlierOne() {
        let new = "1\n1a\n1b\n" + numbered(20, replacing: [18: "eighteen"]).dropFirst(2)
        #expect(UnifiedDiff.lines(old: numbered(20), new: new) == [
            "@@ -1,4 +1,6 @@",
            " 1",
            "+1a",
            "+1b",
            " 2",
            " 3",
            " 4",
            "@@ -15,6 +17,6 @@",
            " 15",
            " 16",
            " 17",
            "-18",
            "+eighteen",
            " 19",
            " 20",
        ])
    }

    @Test func changesSevenLinesApartShareOneHunk() {
        // Five unchanged lines between them: the two contexts overlap.
        #expect(UnifiedDiff.lines(old: numbered(12), new: numbered(12, replacing: [2: "two", 8: "eight"])) == [
            "@@ -1,11 +1,11 @@",
            " 1", "-2", "+two", " 3", " 4", " 5", " 6", " 7", "-8", "+eight", " 9", " 10", " 11",
        ])
    }

    // `diff -u` and `git diff` print one hunk when exactly six unchanged lines lie between two changes.
    @Test func changesWhoseContextsTouchShareOneHunk() {
        let diff = UnifiedDiff.lines(old: numbered(12), new: numbered(12, replacing: [2: "two", 9: "nine"]))
        #expect(diff == [
            "@@ -1,12 +1,12 @@",
            " 1", "-2", "+two", " 3", " 4", " 5", " 6", " 7", " 8", "-9", "+nine", " 10", " 11", " 12",
        ])
    }

    @Test func missingFinalNewlineInTheNewText() {
        #expect(UnifiedDiff.lines(old: "a\nb\n", new: "a\nb") == [
            "@@ -1,2 +1,2 @@",
            " a",
            "-b",
            "+b",
            "\\ No newline at end of file",
        ])
    }

    @Test func missingFinalNewlineInTheOldText() {
        #expect(UnifiedDiff.lines(old: "a\nold", new: "a\nnew\n") == [
            "@@ -1,2 +1,2 @@",
            " a",
            "-old",
            "\\ No newline at end of file",
            "+new",
        ])
    }

    @Test func oldEmptyIsAllAdditions() {
        #expect(UnifiedDiff.lines(old: "", new: "x\ny\nz\n") == [
            "@@ -0,0 +1,3 @@",
            "+x",
            "+y",
            "+z",
        ])
    }

    @Test func newEmptyIsAllRemovals() {
        #expect(UnifiedDiff.lines(old: "x\ny\n", new: "") == [
            "@@ -1,2 +0,0 @@",
            "-x",
            "-y",
        ])
    }

    @Test(arguments: ["", "one line\n", "no newline", "a\nb\nc\n", "\n\n\n"])
    func identicalTextsGiveNoOutput(_ text: String) {
        #expect(UnifiedDiff.lines(old: text, new: text) == [])
    }

    @Test func emptyLinesAreContextLinesToo() {
        #expect(UnifiedDiff.lines(old: "a\n\nb\n", new: "a\n\nc\n") == [
            "@@ -1,3 +1,3 @@",
            " a",
            " ",
            "-b",
            "+c",
        ])
    }
}
