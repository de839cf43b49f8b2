import Console
import DesiredState
import Engine
import Foundation
import Testing
import VersionSource

/// `o`, `]` `[`, `/` over status words and `n` `N`: finding what needs attention in a big list,
/// the same in every view because every view is one `ItemList`.
@Suite struct FindingDriftTests {
    typealias F = ConsoleFixture

    func selectedPath(_ state: ConsoleState) -> String? { state.resources.selected?.path }

    @Test func oShowsOnlyWhatIsNotSyncedAndHealthyAndSaysSo() {
        var state = F.state()
        #expect(selectedPath(state) == "etc/issue", "the first frame selects the first drift")
        F.press([.char("j"), .char("j")], &state)
        #expect(selectedPath(state) == "etc/old.conf")
        F.press([.char("o")], &state)
        #expect(state.resources.rows.map { state.resources.items[$0].path } == ["etc/issue", "etc/old.conf", "srv/app/config.ini", "srv/日本語.txt"])
        #expect(selectedPath(state) == "etc/old.conf", "the selection stays on its resource")
        let screen = Views.render(state).text
        #expect(screen.contains("only drifted: 4 of 6"), "a mark beside the tabs while on: \(screen)")
        #expect(state.flash?.text == "only drifted or unhealthy rows: 4 of 6 (o shows all)")
        F.press([.char("j"), .char("k")], &state)
        #expect(Views.render(state).text.contains("o all rows"), "the footer's hint says how to undo it")
        F.press([.char("o")], &state)
        #expect(state.resources.rows.count == 6)
        #expect(selectedPath(state) == "etc/old.conf")
    }

    @Test func oAndAFilterNarrowTogetherAndEscUndoesOneAtATime() {
        var state = F.state()
        F.press([.char("o"), .char("/"), .char("e"), .char("t"), .char("c"), .enter], &state)
        #expect(state.resources.rows.map { state.resources.items[$0].path } == ["etc/issue", "etc/old.conf"])
        #expect(Views.render(state).text.contains("drifted /etc: 2 of 6"))
        F.press([.escape], &state)
        #expect(state.resources.filter.isEmpty && state.resources.onlyAttention, "Esc clears the filter first")
        F.press([.escape], &state)
        #expect(!state.resources.onlyAttention && state.resources.rows.count == 6, "then o")
    }

    @Test func theSelectionStaysOnItsResourceAcrossRefreshesWhileOIsOn() {
        var state = F.state()
        F.press([.char("o")], &state)
        while selectedPath(state) != "srv/app/config.ini" { F.press([.char("j")], &state) }
        // The next pass finds motd drifted too: a row appears above the selection.
        let statuses = F.statuses.map { $0.path == "etc/motd" ? ResourceStatus.compare(F.resource("motd", "etc/motd"), .absent) : $0 }
        let snapshot = Snapshot(head: F.head, applied: F.applied, desired: DesiredState(revision: F.head, resources: [], settings: Settings()), statuses: statuses)
        _ = Update.update(&state, .snapshot(snapshot, at: F.now))
        #expect(state.resources.rows.count == 5)
        #expect(selectedPath(state) == "srv/app/config.ini")
    }

    @Test func bracketsJumpToTheNextDriftSkippingTheSyncedAndWrapWithAWord() {
        var state = F.state()
        F.press([.char("]")], &state)
        #expect(selectedPath(state) == "etc/old.conf", "etc/motd is synced and skipped")
        F.press([.char("]"), .char("]")], &state)
        #expect(selectedPath(state) == "srv/日本語.txt")
        F.press([.char("]")], &state)
        #expect(selectedPath(state) == "etc/issue")
        #expect(state.flash?.text == "wrapped to the first drifted or unhealthy row")
        F.press([.char("[")], &state)
        #expect(selectedPath(state) == "srv/日本語.txt")
        #expect(state.flash?.text == "wrapped to the last drifted or unhealthy row")
        let effects = F.press([.char("[")], &state)
        #expect(selectedPath(state) == "srv/app/config.ini")
        #expect(effects.contains { if case .loadDiff(let status, _) = $0 { return status.path == "srv/app/config.ini" } else { return false } },
                "a jump loads the diff of where it lands")
    }

    @Test func bracketsSayWhenNothingNeedsAttention() {
        var state = F.state()
        let synced = F.statuses.filter { $0.sync == .synced }
        let snapshot = Snapshot(head: F.head, applied: F.applied, desired: DesiredState(revision: F.head, resources: [], settings: Settings()), statuses: synced)
        _ = Update.update(&state, .snapshot(snapshot, at: F.now))
        F.press([.char("]")], &state)
        #expect(state.flash?.text == "no drifted or unhealthy row")
        F.press([.char("o")], &state)
        #expect(Views.render(state).text.contains("nothing drifted or unhealthy (o shows all)"))
    }

    @Test func slashMatchesTheStatusWordsOnTheRow() {
        var state = F.state()
        /// How many rows `/filter` leaves in the current view.
        func matches(_ filter: String) -> Int {
            F.press([.escape, .char("/")] + filter.map(Key.char) + [.enter], &state)
            return state.list.shown
        }
        #expect(matches("OutOf") == 3, "missing, extra and modified are OutOfSync")
        #expect(matches("extra") == 1)
        #expect(state.resources.selected?.path == "etc/old.conf")
        #expect(matches("unknown") == 1, "the unobservable one")
        #expect(matches("healthy") == 4, "not the Missing and the Unknown")
        F.press([.escape, .char("2")], &state)
        #expect(matches("FAIL") == 1)
        #expect(state.proposals.selected?.proposal.name == "open-perms")
        #expect(matches("conflict") == 0)
        F.press([.escape, .char("3")], &state)
        #expect(matches("olga") == 2, "history: the author")
        F.press([.escape, .char("4")], &state)
        #expect(matches("warning") == 1, "events: the level")
        #expect(matches("FetchFailed") == 1, "and the reason")
    }

    @Test func nAndNMoveThroughTheMatchesAndWrapWithAWord() {
        var state = F.state()
        F.press([.char("/"), .char("e"), .char("t"), .char("c"), .enter, .char("g")], &state)
        #expect(selectedPath(state) == "etc/issue")
        F.press([.char("N")], &state)
        #expect(selectedPath(state) == "etc/old.conf")
        #expect(state.flash?.text == "wrapped to the last match")
        F.press([.char("n")], &state)
        #expect(selectedPath(state) == "etc/issue")
        #expect(state.flash?.text == "wrapped to the first match")
        F.press([.char("n")], &state)
        #expect(selectedPath(state) == "etc/motd")
        #expect(state.flash == nil, "no word while it does not wrap")
    }

    @Test func oInEventsKeepsWarningsAndErrorsAndHistoryHasNoO() {
        var state = F.state()
        F.press([.char("4"), .char("o")], &state)
        #expect(state.events.rows.allSatisfy { state.events.items[$0].event.level != .info })
        #expect(state.events.shown == 2, "the drift warning and the folded fetch failures")
        F.press([.char("3"), .char("o")], &state)
        #expect(!state.history.onlyAttention, "a commit has no status")
        #expect(!Keymap.bindings(in: .history).contains { $0.action == .onlyAttention })
    }

    @Test func aCommitsDetailStillArrivesWhenTheHistoryReloadsMeanwhile() {
        // The race CI met: Enter on a commit, then a pass moves the head and reloads the history
        // before the commit is read. The answer is for the detail still open: it is shown.
        var state = F.state()
        let effects = F.press([.char("3"), .char("j"), .enter], &state)
        guard case .loadCommit(let commit, let epoch)? = effects.last else { Issue.record("no load: \(effects)"); return }
        let moved = Snapshot(head: "5555555555555555555555555555555555555555", applied: F.applied,
                             desired: DesiredState(revision: F.head, resources: [], settings: Settings()), statuses: F.statuses)
        _ = Update.update(&state, .snapshot(moved, at: F.now))
        _ = Update.update(&state, .historyLoaded(epoch: state.history.epoch, skip: 0, F.commits, complete: true))
        let message = CommitMessage(author: "Olga Operator", authored: F.now, committer: "Olga Operator", committed: F.now,
                                    body: "\(commit.subject)\n\nWhy it was rolled back.")
        _ = Update.update(&state, .commitLoaded(epoch: epoch, CommitDetail(message: message, changes: [], diff: [], invalid: [])))
        #expect(state.history.detail?.lines.contains { $0.text.contains("Why it was rolled back.") } == true, "\(state.history.detail?.lines.map(\.text) ?? [])")
    }

    @Test func anAnswerForADetailClosedOrReplacedIsDropped() {
        var state = F.state()
        let first = F.press([.char("3"), .enter], &state)
        F.press([.char("j")], &state) // the open detail follows the selection: a second load
        guard case .loadCommit(_, let stale)? = first.last else { Issue.record("no load"); return }
        let message = CommitMessage(author: "Ada", authored: F.now, committer: "Ada", committed: F.now, body: "stale answer")
        _ = Update.update(&state, .commitLoaded(epoch: stale, CommitDetail(message: message, changes: [], diff: [], invalid: [])))
        #expect(state.history.detail?.lines.contains { $0.text.contains("stale answer") } == false)
        #expect(state.history.detail?.lines.first?.text == "reading the commit…")
    }
}

/// What the footer and the header cut at 80 columns is kept whole for `:messages`.
@Suite struct MessagesTests {
    typealias F = ConsoleFixture

    @Test func aLongFooterMessageSaysWhereToReadItAndMessagesShowsItWhole() {
        var state = F.state()
        let long = "3 of 4 change(s) failed; see the events (4): File/app/config.ini could not be written because the disk is full"
        _ = Update.update(&state, .failed(long))
        let footer = Views.render(state).text.split(separator: "\n").last.map(String.init) ?? ""
        #expect(footer.hasSuffix("(:messages)") && footer.contains("3 of 4 change(s) failed"), "\(footer)")
        F.press([.char(":")] + "messages".map(Key.char) + [.enter], &state)
        #expect(state.dialog?.title == "Messages")
        let screen = Views.render(state).text
        #expect(screen.contains("because the disk is") && screen.contains("full"), "wrapped whole in the dialog: \(screen)")
        F.press([.char("j")], &state)
        #expect(state.dialog == nil, "any key closes it")
    }

    @Test func progressIsNotKeptButWhatItEndsInIs() {
        var state = F.state()
        _ = F.press([.char("S")], &state)
        #expect(state.flash?.text == "planning the sync…")
        _ = Update.update(&state, .done("synced 3 change(s) at a1b2c3d4e5f6"))
        #expect(state.messages.map(\.text) == ["synced 3 change(s) at a1b2c3d4e5f6"])
    }

    @Test func whyAPassFailedIsCutInTheHeaderAndKeptWhole() {
        var state = F.state()
        let problem = "revision c20b47e1954e is invalid and will not be applied: resources/web.yaml:4:3: unknown field `colour`"
        _ = Update.update(&state, .engineProblem(problem))
        _ = Update.update(&state, .engineProblem(problem))
        let header = Views.render(state).text.split(separator: "\n")[1]
        #expect(header.hasSuffix("(:messages)"), "\(header)")
        #expect(state.messages.filter { $0.text == "last pass failed: \(problem)" }.count == 1, "kept once, not per pass")
    }
}
