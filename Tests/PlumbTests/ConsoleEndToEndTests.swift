import Foundation
import Testing
import TestSupport

/// The real binary's console in a real terminal (tmux), on real repositories: what is on screen,
/// what a keystroke changes at the source, and that the terminal is always given back.
@Suite struct ConsoleEndToEndTests {
    let fx: PlumbFixture
    let identity: [String: String]

    init() throws {
        fx = try PlumbFixture()
        identity = try fx.operatorIdentity()
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome"))
        try fx.source.write("resources/issue.yaml", SourceChangeTests.file("issue", "etc/issue", "issue"))
        try fx.source.write("policy.yaml", SourceChangeTests.policy)
        try fx.source.commit("motd and issue")
        #expect(try fx.plumb("sync").status == 0)
        try fx.target.write("etc/motd", "edited by hand\n")
    }

    /// The console in a terminal of its own, with the fixture's source, target and state.
    func console(_ arguments: String = "", width: Int = 80, height: Int = 24, env extra: [String: String] = [:]) throws -> TmuxSession {
        let env = fx.environment.merging(identity) { _, new in new }.merging(["TERM": "tmux-256color", "HOME": fx.state.path]) { _, new in new }
            .merging(extra) { _, new in new }
        // swift test sets NO_COLOR for what it runs; the console gets it only when a test says so.
        return try TmuxSession(command: "\(TmuxSession.quote(PlumbBinary.path)) \(arguments)", env: env,
                               unset: extra["NO_COLOR"] == nil ? ["NO_COLOR"] : [], width: width, height: height)
    }



    @Test func driftIsOnScreenAndEveryViewAndTheHelpOpen() throws {
        let tmux = try console()
        let first = tmux.waitFor("File/motd")
        #expect(first.ok, "\(first.screen)")
        #expect(first.screen.contains("OutOfSync modified File/motd"), "\(first.screen)")
        #expect(tmux.waitFor("-edited by hand").ok, "the diff of the selected drifted resource shows: the hand edit is what a sync takes away")
        tmux.press("2")
        #expect(tmux.waitFor("no open proposals").ok)
        tmux.press("3")
        #expect(tmux.waitFor("motd and issue").ok)
        tmux.press("4")
        #expect(tmux.waitFor("DriftDetected").ok, "the engine runs inside: it journals the drift")
        tmux.press("?")
        #expect(tmux.waitFor("Keys: Events").ok)
        tmux.press("Escape", "q")
        let end = tmux.waitForExit()
        #expect(end.screen.contains("EXIT=0"))
        #expect(end.screen.contains("icanon") && end.screen.contains("echo") && !end.screen.contains("-icanon") && !end.screen.contains("-echo"),
                "the terminal is back in cooked mode with echo: \(end.screen)")
    }

    @Test func aHandEditIsSeenLiveAndAutoSyncMendsIt() throws {
        let tmux = try console("ui --auto-sync")
        #expect(tmux.waitFor("OutOfSync 0").ok, "auto-sync mended the drift found at start: \(tmux.screen())")
        try fx.target.write("etc/issue", "changed while the console is open\n")
        #expect(tmux.waitFor(10) { _ in fx.target.read("etc/issue") == "issue\n" }.ok, "mended within seconds")
        tmux.press("4")
        #expect(tmux.waitFor("DriftResolved").ok)
    }

    @Test func approvingByKeystrokeMergesAtTheSourceAndCancelChangesNothing() throws {
        try fx.source.propose("good", ["resources/new.yaml": SourceChangeTests.file("new", "etc/new", "new")])
        let before = try fx.source.head()
        let tmux = try console()
        tmux.press("2")
        #expect(tmux.waitFor("propose good").ok)
        #expect(tmux.waitFor("pass").ok)
        tmux.press("a")
        #expect(tmux.waitFor("Approve proposal/good at").ok)
        tmux.press("n")
        #expect(tmux.waitFor("cancelled; nothing changed").ok)
        #expect(try fx.source.head() == before, "a cancelled dialog changes nothing")
        #expect(try fx.source.head("proposal/good") != nil)
        tmux.press("a")
        #expect(tmux.waitFor("y: confirm").ok)
        tmux.press("y")
        #expect(tmux.waitFor("approved proposal/good").ok, "\(tmux.screen())")
        #expect(try fx.source.head() != before)
        #expect(try fx.source.head("proposal/good") == nil, "the proposal branch is deleted at the source")
        let message = try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B", "main"])
        #expect(message.contains("Approved-by: Olga Operator <olga@example.com>"))
    }

    @Test func syncingAHandEditAsksAndCancelKeepsItWhileYesSavesThenOverwrites() throws {
        let tmux = try console()
        #expect(tmux.waitFor("-edited by hand").ok, "\(tmux.screen())")
        tmux.press("s")
        #expect(tmux.waitFor("Overwrite File/motd?").ok, "\(tmux.screen())")
        tmux.press("n")
        #expect(tmux.waitFor { !$0.contains("Overwrite File/motd?") }.ok)
        #expect(fx.target.read("etc/motd") == "edited by hand\n", "cancel keeps the hand edit")
        tmux.press("s")
        #expect(tmux.waitFor("Overwrite File/motd?").ok)
        tmux.press("y")
        #expect(tmux.waitFor { _ in self.fx.target.read("etc/motd") == "welcome\n" }.ok, "\(tmux.screen())")
        let updated = try #require(try fx.messages(of: "ResourceUpdated").last)
        let saved = try #require(updated.components(separatedBy: "saved at ").last)
        #expect(try String(contentsOfFile: saved, encoding: .utf8) == "edited by hand\n", "\(updated)")
    }

    @Test func fetchingNowShowsAPushedHeadWithoutWaitingForTheInterval() throws {
        let tmux = try console()
        #expect(tmux.waitFor("↻").ok, "\(tmux.screen())")
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "pushed"))
        let pushed = try fx.source.commit("pushed while the console is open")
        tmux.press("R")
        // The interval is 30 s and the target did not change: only R brings the new head this soon.
        let seen = tmux.waitFor(10) { $0.contains("head \(pushed.prefix(12))") }
        #expect(seen.ok, "\(seen.screen)")
        #expect(tmux.waitFor("fetched: main is at \(pushed.prefix(12))").ok, "the footer says what the fetch found: \(tmux.screen())")
    }

    @Test func rejectingWithAReasonDeletesTheBranchAndJournalsWhy() throws {
        _ = try fx.source.propose("bad", ["resources/motd.yaml": SourceChangeTests.file("motd", "etc/motd", "bad idea")])
        let tmux = try console()
        tmux.press("2")
        #expect(tmux.waitFor("propose bad").ok, "\(tmux.screen())")
        tmux.press("x")
        #expect(tmux.waitFor("reason for rejecting proposal/bad").ok, "\(tmux.screen())")
        tmux.press("not", "Space", "now", "Enter")
        #expect(tmux.waitFor("reason: not now").ok, "\(tmux.screen())")
        tmux.press("y")
        #expect(tmux.waitFor("rejected proposal/bad").ok, "\(tmux.screen())")
        #expect(try fx.source.head("proposal/bad") == nil, "the branch is deleted at the source")
        let rejected = try fx.messages(of: "ProposalRejected")
        #expect(rejected.last?.hasSuffix(": not now") == true, "\(rejected)")
    }

    @Test func aCommitOpensWithItsWholeMessageAndAnInvalidOneSaysWhy() throws {
        try fx.source.write("resources/bad.yaml", "kind: File\nname: bad\nspec: {path: bad, content: x, colour: red}\n")
        _ = try fx.source.commit("a broken manifest\n\nWith a body that says more.")
        let tmux = try console(width: 100, height: 40)
        tmux.press("3")
        #expect(tmux.waitFor("a broken manifest").ok, "\(tmux.screen())")
        tmux.press("Enter")
        let open = tmux.waitFor { $0.contains("this revision is invalid") }
        #expect(open.ok, "\(open.screen)")
        #expect(open.screen.contains("author     Test Author"), "\(open.screen)")
        #expect(open.screen.contains("With a body that says more."))
        #expect(open.screen.contains("resources/bad.yaml:3:31: unknown field `colour`"), "\(open.screen)")
        #expect(!open.screen.contains("delete  File/motd"), "an invalid revision is not a delete of everything")
    }

    @Test func rollingBackByKeystrokePushesARollbackCommit() throws {
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "second"))
        let second = try fx.source.commit("second motd")
        let tmux = try console()
        tmux.press("3")
        #expect(tmux.waitFor("second motd").ok)
        tmux.press("j", "r")
        #expect(tmux.waitFor("Roll back main to").ok, "\(tmux.screen())")
        #expect(tmux.waitFor("update  File/motd").ok, "the dialog shows the plan")
        tmux.press("y")
        #expect(tmux.waitFor("rolled back to").ok, "\(tmux.screen())")
        let head = try #require(try fx.source.head())
        #expect(head != second)
        #expect(try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%s", head]).hasPrefix("Roll back to"))
    }

    @Test func aRollbackThatBreaksThePolicyIsOverriddenWithAReasonByKeystroke() throws {
        try fx.source.write("resources/extra.yaml", SourceChangeTests.file("extra", "etc/extra", "extra"))
        let added = try fx.source.commit("add an extra file")
        let tmux = try console(width: 100, height: 30)
        tmux.press("3")
        #expect(tmux.waitFor("add an extra file").ok)
        tmux.press("j", "r")
        #expect(tmux.waitFor("breaks the policy").ok, "max-deletes 0, and this deletes File/extra: \(tmux.screen())")
        tmux.press("y")
        #expect(tmux.waitFor("reason for overriding the policy:").ok, "\(tmux.screen())")
        tmux.press("i", "n", "c", "i", "d", "e", "n", "t", "Enter")
        #expect(tmux.waitFor("overriding the policy?").ok, "\(tmux.screen())")
        tmux.press("y")
        #expect(tmux.waitFor("rolled back to").ok, "\(tmux.screen())")
        let head = try #require(try fx.source.head())
        #expect(head != added)
        #expect(try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B", head]).contains("Policy-override: incident"))
    }

    @Test func aTinyTerminalGetsANoticeAndComesBack() throws {
        let tmux = try console()
        #expect(tmux.waitFor("File/motd").ok)
        tmux.resize(width: 40, height: 10)
        #expect(tmux.waitFor("terminal too small: 40x10").ok, "\(tmux.screen())")
        tmux.resize(width: 80, height: 24)
        #expect(tmux.waitFor("File/motd").ok)
        tmux.resize(width: 200, height: 60)
        #expect(tmux.waitFor { $0.contains("File/motd") && $0.contains("-edited by hand") }.ok)
        tmux.press("C-c")
        #expect(tmux.waitForExit().screen.contains("EXIT=0"))
    }

    @Test func colourFollowsTheTerminalAndNoColorTurnsItOff() throws {
        let coloured = try console()
        #expect(coloured.waitFor("File/motd").ok)
        #expect(coloured.screen(escapes: true).contains("\u{1b}[38;5;"), "256 colours in use")
        let eight = try console(env: ["TERM": "screen"])
        #expect(eight.waitFor("File/motd").ok)
        let basic = eight.screen(escapes: true)
        #expect(!basic.contains("38;5;") && basic.range(of: "\u{1b}\\[3[0-7]m", options: .regularExpression) != nil,
                "8 colours: the theme's colours mapped to the basic ones")
        let plain = try console(env: ["NO_COLOR": "1"])
        #expect(plain.waitFor("File/motd").ok)
        let escapes = plain.screen(escapes: true)
        let colour = escapes.range(of: "\u{1b}\\[([349][0-7]|38;5;[0-9]+|48;5;[0-9]+)m", options: .regularExpression)
        #expect(colour == nil, "no colour at all with NO_COLOR: \(escapes.debugDescription.prefix(400))")
        #expect(escapes.contains("\u{1b}[7m") || escapes.contains("\u{1b}[1m"), "attributes still mark the selection and the drift")
    }

    @Test func theSelectedRowKeepsItsDriftColoursOnTheSelectionBackground() throws {
        let tmux = try console()
        #expect(tmux.waitFor("File/motd").ok)
        let row = try #require(tmux.screen(escapes: true).split(separator: "\n").first { $0.contains("File/motd") })
        // The default theme: drift is #ff8700 (208 of 256) in bold, the selection a grey (237) background.
        #expect(row.contains("208") && row.contains("48;5;237"), "drift colour on the selection's background: \(row.debugDescription)")
        #expect(!row.contains("\u{1b}[7m"), "not reversed")
    }

    @Test func oShowsOnlyTheDriftAndBracketsJumpToIt() throws {
        try fx.source.write("resources/more.yaml", SourceChangeTests.file("zz-more", "etc/zz-more", "more"))
        try fx.source.commit("one more file")
        #expect(try fx.plumb("sync").status == 0)
        try fx.target.write("etc/motd", "edited by hand\n")
        let tmux = try console()
        #expect(tmux.waitFor("File/zz-more").ok, "\(tmux.screen())")
        tmux.press("o")
        let only = tmux.waitFor { $0.contains("only drifted: 1 of 3") && !$0.contains("File/issue") }
        #expect(only.ok, "\(only.screen)")
        #expect(only.screen.contains("File/motd"))
        tmux.press("]")
        #expect(tmux.waitFor("no other drifted or unhealthy row").ok, "\(tmux.screen())")
        tmux.press("o")
        #expect(tmux.waitFor { $0.contains("File/issue") && $0.contains("File/zz-more") }.ok, "all rows again: \(tmux.screen())")
        tmux.press("G", "]")
        #expect(tmux.waitFor("wrapped to the first drifted or unhealthy row").ok, "\(tmux.screen())")
        #expect(tmux.waitFor("-edited by hand").ok, "the jump lands on File/motd and shows its diff")
    }

    @Test func aThemeChosenAtTheCommandLineIsReadFromTheUsersFolderAndAMissingOneIsSaid() throws {
        // HOME is the state dir here: a theme of the user's own in ~/.config/plumb/themes.
        try writeFile(fx.state.path + "/.config/plumb/themes/dusk.yaml", "name: dusk\nroles:\n  drift: { fg: red }\n")
        let tmux = try console()
        #expect(tmux.waitFor("File/motd").ok)
        tmux.press(":", "t", "h", "e", "m", "e", "Space", "d", "u", "s", "k", "Enter")
        #expect(tmux.waitFor("theme dusk").ok, "\(tmux.screen())")
        tmux.press(":", "t", "h", "e", "m", "e", "Space", "d", "a", "w", "n", "Enter")
        #expect(tmux.waitFor("no theme named `dawn`").ok, "\(tmux.screen())")
        #expect(tmux.screen().contains("File/motd"), "the console goes on")
    }

    @Test func SIGTERMGivesTheTerminalBack() throws {
        let tmux = try console()
        #expect(tmux.waitFor("File/motd").ok)
        // plumb is the child of the window's shell: this test's console, not another test's.
        let shell = try #require(tmux.shellPID)
        let pid = try #require(try run("pgrep", ["-P", "\(shell)"]).stdout.split(separator: "\n").first.flatMap { Int32($0) })
        kill(pid, SIGTERM)
        let end = tmux.waitForExit()
        #expect(end.screen.contains("EXIT=0"), "\(end.screen)")
        #expect(!end.screen.contains("-icanon"))
    }

    @Test func aTerminalThatGoesAwayEndsTheConsole() throws {
        let tmux = try console()
        #expect(tmux.waitFor("File/motd").ok)
        let shell = try #require(tmux.shellPID)
        let pid = try #require(try run("pgrep", ["-P", "\(shell)"]).stdout.split(separator: "\n").first.flatMap { Int32($0) })
        tmux.killServer()
        // Gone, or a zombie nobody reaps (PID 1 of a container may not): either way, not running.
        func running() -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
            return stat.split(separator: ")").last?.split(separator: " ").first != "Z"
        }
        #expect(eventually(10) { !running() }, "no console left running, or spinning, without its terminal")
    }

    @Test func withoutATerminalItSaysSo() throws {
        let piped = try fx.plumb("ui")
        #expect(piped.status == 1)
        #expect(piped.stderr.contains("plumb ui needs a terminal"))
        let tmux = try console(env: ["TERM": "no-such-terminal"])
        let end = tmux.waitForExit()
        #expect(end.screen.contains("TERM=no-such-terminal is unknown"), "\(end.screen)")
        #expect(end.screen.contains("EXIT=1"))
    }

    @Test func besideARunningAgentTheConsoleOnlyObserves() throws {
        let agent = try fx.spawn(["agent", "--interval", "1h"])
        defer { agent.terminate(); agent.waitUntilExit() }
        #expect(eventually { (try? fx.plumb("events").stdout.contains("DriftDetected")) == true })
        let tmux = try console()
        #expect(tmux.waitFor("observer").ok, "\(tmux.screen())")
        tmux.press("S")
        #expect(tmux.waitFor("observer only: another plumb (pid \(agent.processIdentifier))").ok)
    }
}
