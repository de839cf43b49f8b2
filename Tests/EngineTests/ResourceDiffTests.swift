import DesiredState
import Testing
@testable import Engine

/// What `plumb diff` prints for one resource: headers, hunks, and what it refuses to show.
@Suite struct ResourceDiffTests {
    let at = SourceLocation(file: "resources/x.yaml", line: 1, column: 1)

    func file(sensitive: Bool = false, mode: UInt32 = 0o644) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "File", name: "motd"), path: "etc/motd",
                        shape: .file(blob: "b", inline: nil, mode: mode), sensitive: sensitive, origin: at)
    }

    func render(_ desired: DesiredResource, _ observed: Observation, _ want: String?, _ have: String?) -> [String] {
        ResourceDiff.render(.compare(desired, observed), desired: want.map { Array($0.utf8) }, actual: have.map { Array($0.utf8) })
    }

    @Test func modifiedContentIsAUnifiedDiff() {
        #expect(render(file(), .file(blob: "a", mode: 0o644, size: 4), "old\n", "new\n") == [
            "diff File/motd (etc/motd): content differs",
            "--- actual/etc/motd",
            "+++ desired/etc/motd",
            "@@ -1,1 +1,1 @@",
            "-new",
            "+old",
        ])
    }

    @Test func aMissingFileDiffsAgainstDevNull() {
        #expect(render(file(), .absent, "hello\n", nil) == [
            "diff File/motd (etc/motd): declared, absent from the target",
            "--- /dev/null",
            "+++ desired/etc/motd",
            "@@ -0,0 +1,1 @@",
            "+hello",
        ])
    }

    @Test func aModeChangeIsNamed() {
        let lines = render(file(mode: 0o600), .file(blob: "b", mode: 0o644, size: 3), "x\n", "x\n")
        #expect(lines.contains("mode 0644 → 0600"), "actual, then desired: what a sync sets")
        #expect(!lines.contains { $0.hasPrefix("@@") })
    }

    @Test func sensitiveContentIsNeverShown() {
        let lines = render(file(sensitive: true), .file(blob: "a", mode: 0o644, size: 7), "secret\n", "leaked\n")
        #expect(lines.last == "(content hidden: File/motd is sensitive)")
        #expect(!lines.joined().contains("secret"))
        #expect(!lines.joined().contains("leaked"))
    }

    @Test func binaryContentIsSummarised() {
        let lines = ResourceDiff.render(.compare(file(), .file(blob: "a", mode: 0o644, size: 3)), desired: [0, 1, 2, 3], actual: [0, 1, 2])
        #expect(lines.last == "Binary content differs (actual 3 bytes, desired 4 bytes)")
    }

    @Test func hugeContentIsSummarisedNotDiffed() {
        let big = String(repeating: "line\n", count: 1_000_000)
        let lines = render(file(), .file(blob: "a", mode: 0o644, size: big.utf8.count), big, big + "more\n")
        #expect(lines.last == "Content differs (actual 5000005 bytes, desired 5000000 bytes); too large to show line by line")
    }

    @Test func controlCharactersAreEscapedButTabsKept() {
        let lines = render(file(), .file(blob: "a", mode: 0o644, size: 9), "a\tb\n", "a\tb\u{1B}[31m\n")
        #expect(lines.contains("-a\tb\\e[31m"), "what the target holds is the - side")
    }
}
