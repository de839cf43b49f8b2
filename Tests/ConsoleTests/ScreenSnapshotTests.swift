import Console
import Foundation
import Testing

/// Every view as text, at 80x24 and 200x60, plain and with its roles marked: compared with the
/// files in `Snapshots/`, which were read by eye when first recorded. A missing file fails; run
/// with `PLUMB_RECORD_SNAPSHOTS=1` to write it, then read it before committing.
@Suite struct ScreenSnapshotTests {
    typealias F = ConsoleFixture

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    func check(_ name: String, _ state: ConsoleState, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let buffer = Views.render(state)
        for (suffix, text) in [("txt", buffer.text), ("roles.txt", buffer.styledText)] {
            let file = Self.directory.appendingPathComponent("\(name).\(suffix)")
            let recorded = try? String(contentsOf: file, encoding: .utf8)
            if recorded == nil, ProcessInfo.processInfo.environment["PLUMB_RECORD_SNAPSHOTS"] == "1" {
                try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
                try (text + "\n").write(to: file, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try #require(recorded, "no snapshot \(file.lastPathComponent): record it with PLUMB_RECORD_SNAPSHOTS=1", sourceLocation: sourceLocation)
            #expect(text + "\n" == expected, "\(file.lastPathComponent) differs:\n\(text)", sourceLocation: sourceLocation)
        }
    }

    static let sizes = [(80, 24), (200, 60)]

    @Test(arguments: sizes) func resources(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("j"), .char("j")], &state)
        _ = Update.update(&state, .diffLoaded(epoch: state.resources.detailEpoch, lines: ["--- actual etc/old.conf", "+++ /dev/null", "@@ -1 +0,0 @@", "-x"]))
        try check("resources-\(width)x\(height)", state)
    }

    @Test(arguments: sizes) func proposals(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("2"), .char("j"), .enter], &state)
        _ = Update.update(&state, .proposalDiffLoaded(epoch: state.proposals.detailEpoch, lines: [
            "diff --git a/resources/app.yaml b/resources/app.yaml", "@@ -3 +3 @@", "-  mode: \"0644\"", "+  mode: \"0666\"",
        ]))
        try check("proposals-\(width)x\(height)", state)
    }

    @Test(arguments: sizes) func history(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("3")], &state)
        try check("history-\(width)x\(height)", state)
    }

    @Test(arguments: sizes) func events(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("4")], &state)
        try check("events-\(width)x\(height)", state)
    }

    @Test(arguments: sizes) func eventDetail(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("4"), .char("k"), .enter], &state)
        try check("event-detail-\(width)x\(height)", state)
    }

    /// `o` with a filter, the jump `]` to the next drift: the marks beside the tabs and in the
    /// footer, the selection on the row it landed on, in its status colours.
    @Test(arguments: sizes) func onlyDrift(width: Int, height: Int) throws {
        var state = F.state(width: width, height: height)
        F.press([.char("o"), .char("/"), .char("s"), .char("r"), .char("v"), .enter, .char("]")], &state)
        try check("only-drift-\(width)x\(height)", state)
    }

    /// `:messages` after a failure too long for the footer.
    @Test func messages() throws {
        var state = F.state()
        _ = Update.update(&state, .failed("1 of 2 change(s) failed; see the events (4): File/app/config.ini: cannot write srv/app/config.ini: No space left on device"))
        _ = Update.update(&state, .done("synced 1 change(s) at a1b2c3d4e5f6"))
        F.press([.char(":")] + "messages".map(Key.char) + [.enter], &state)
        try check("messages-80x24", state)
    }

    @Test func approvalDialog() throws {
        var state = F.state()
        F.press([.char("2"), .char("a")], &state)
        try check("dialog-approve-80x24", state)
    }

    /// Why a proposal cannot be approved, read whole at 80 columns: long reasons wrap.
    @Test func refusalDialog() throws {
        var state = F.state()
        F.press([.char("2"), .char("j"), .char("a")], &state)
        try check("dialog-refusal-80x24", state)
    }

    @Test func help() throws {
        var state = F.state()
        F.press([.char("?")], &state)
        try check("help-80x24", state)
    }

    @Test func tooSmall() throws {
        var state = F.state()
        _ = Update.update(&state, .input(.resize(width: 40, height: 10)))
        try check("too-small-40x10", state)
    }
}
