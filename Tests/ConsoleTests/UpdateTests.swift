import Console
import DesiredState
import Engine
import Foundation
import Testing
import VersionSource

/// Key sequences through `update`: the state they leave and the effects they ask for.
@Suite struct UpdateTests {
    typealias F = ConsoleFixture

    @Test func movingTheSelectionLoadsTheDiffOfTheResourceUnderIt() {
        var state = F.state()
        // Rows go by path: etc/issue, etc/motd, etc/old.conf, ...
        let effects = F.press([.char("j"), .char("j")], &state)
        let selected = state.resources.selected
        #expect(selected?.id.description == "File/old.conf")
        guard case .loadDiff(let status, let epoch)? = effects.first else { Issue.record("no diff asked for: \(effects)"); return }
        #expect(status.id == selected?.id)
        // A diff for an earlier selection arrives late: it is dropped.
        F.press([.char("k"), .char("k")], &state)
        _ = Update.update(&state, .diffLoaded(epoch: epoch, lines: ["--- stale"]))
        #expect(state.resources.detail?.lines.contains { $0.text == "--- stale" } == false)
        _ = Update.update(&state, .diffLoaded(epoch: state.resources.detailEpoch, lines: ["@@ -1 +1 @@", "-a", "+b"]))
        #expect(state.resources.detail?.lines.map(\.role) == [.diffHunk, .diffDel, .diffAdd])
    }

    @Test func aServiceIsListedFirstWithItsUnitAndItsHealthReachesTheHeader() {
        let web = DesiredResource(id: ResourceID(kind: "Service", name: "web"), path: "",
                                  shape: .service(ServiceSpec(unit: "nginx.service", state: .running, enabled: nil, reloadOn: [], restartOn: [], probe: nil)),
                                  sensitive: false, origin: SourceLocation(file: "resources/web.yaml", line: 1, column: 1))
        let failed = UnitState(unit: "nginx.service", load: "loaded", activity: .failed, sub: "failed", unitFile: "enabled",
                               result: "exit-code", mainPID: 0, activeSince: nil, canReload: true)
        var state = F.state()
        let statuses = [ResourceStatus.compare(web, .unit(failed))] + F.statuses
        _ = Update.update(&state, .snapshot(Snapshot(head: F.head, applied: F.applied, desired: F.snapshot.desired, statuses: statuses), at: F.now))
        #expect(state.worstHealth == .unknown, "the fixture's unobservable file is worse than Degraded")
        F.press([.char("g")], &state)
        let first = state.resources.selected
        #expect(first?.id.description == "Service/web" && first?.place == "nginx.service")
        #expect(first?.health == .degraded && first?.message == "failed (exit-code), declared running")

        // A Synced Service still has a state and actions to show: the detail asks the engine.
        let running = UnitState(unit: "nginx.service", load: "loaded", activity: .active, sub: "running", unitFile: "enabled",
                                result: "success", mainPID: 42, activeSince: nil, canReload: true)
        let effects = Update.update(&state, .snapshot(Snapshot(head: F.head, applied: F.applied, desired: F.snapshot.desired,
                                                               statuses: [ResourceStatus.compare(web, .unit(running))]), at: F.now))
        #expect(state.worstHealth == .healthy)
        #expect(effects.contains { if case .loadDiff(let status, _) = $0 { return status.id == web.id } else { return false } }, "\(effects)")
    }

    @Test func aSourceWithNoCommitsIsSaidInEveryViewNotAwaitedForever() {
        var state = ConsoleState(width: 80, height: 24, now: F.now, source: "/tmp/plumb-test-7YlgRc/a/long/way/to/the/source.git", branch: "main",
                                 mode: EngineMode(autoSync: false), themeName: "default")
        let problem = "/srv/git/empty.git has no commits yet: push a first commit to main"
        _ = Update.update(&state, .engineProblem(problem))
        let resources = Views.render(state).text
        #expect(resources.contains("cannot observe: /srv/git/empty.git has no commits yet: push a first commit to") && resources.contains("  main"),
                "said in full, wrapped: \(resources)")
        F.press([.char("3")], &state)
        _ = Update.update(&state, .failed(problem))
        let history = Views.render(state).text
        #expect(history.contains("cannot read the history: /srv/git/empty.git has no commits yet: push a first"), "\(history)")
        #expect(!history.contains("reading the history…"))
        #expect(history.split(separator: "\n").first?.contains("(main)   head …   applied none") == true, "the branch is never cut: \(history)")
    }

    @Test func keysSwitchViewsAndTheFirstVisitLoadsIt() {
        var state = ConsoleState(width: 80, height: 24, now: F.now, source: "s", branch: "main", mode: EngineMode(autoSync: false), themeName: "default")
        let proposals = F.press([.char("2")], &state)
        #expect(state.view == .proposals)
        guard case .loadProposals? = proposals.first else { Issue.record("\(proposals)"); return }
        let history = F.press([.char("3")], &state)
        guard case .loadHistory(skip: 0, _)? = history.first else { Issue.record("\(history)"); return }
        #expect(F.press([.char("2")], &state).isEmpty, "loading is not asked for twice")
        F.press([.char("4")], &state)
        #expect(state.view == .events)
    }

    @Test func theFirstSnapshotLoadsProposalsSoTheHeaderCountsThem() {
        var state = ConsoleState(width: 80, height: 24, now: F.now, source: "s", branch: "main", mode: EngineMode(autoSync: false), themeName: "default")
        let effects = Update.update(&state, .snapshot(F.snapshot, at: F.now))
        #expect(effects.contains { if case .loadProposals = $0 { true } else { false } }, "\(effects)")
        #expect(state.view == .resources)
    }

    @Test func aDestructiveKeyOpensADialogWhoseDefaultIsCancel() {
        var state = F.state()
        F.press([.char("2")], &state)
        F.press([.char("a")], &state)
        let dialog = try? #require(state.dialog)
        #expect(dialog?.title == "Approve proposal/bigger-motd at 111111111111?")
        // Enter is not yes: it cancels, and nothing happens.
        #expect(F.press([.enter], &state).isEmpty)
        #expect(state.dialog == nil)
        #expect(state.flash?.text == "cancelled; nothing changed")
        F.press([.char("a")], &state)
        let effects = F.press([.char("y")], &state)
        guard case .approve(let review)? = effects.first else { Issue.record("\(effects)"); return }
        #expect(review.proposal.head == "1111111111111111111111111111111111111111", "pinned to the head shown")
        #expect(review.base == F.head)
    }

    @Test func aProposalThatFailsPolicyCannotBeApprovedFromTheConsole() {
        var state = F.state()
        F.press([.char("2"), .char("j"), .char("a")], &state)
        #expect(state.dialog?.title == "proposal/open-perms at 222222222222 cannot be approved")
        #expect(state.dialog?.confirm == nil)
        #expect(F.press([.char("y")], &state).isEmpty, "y does nothing when there is nothing to confirm")
    }

    @Test func rollbackPlansFirstThenAsks() {
        var state = F.state()
        F.press([.char("3"), .char("j")], &state)
        let effects = F.press([.char("r")], &state)
        guard case .planRollback(let commit)? = effects.first else { Issue.record("\(effects)"); return }
        #expect(commit.sha == "3333333333333333333333333333333333333333")
        let plan = RollbackPlan(head: F.head, restore: commit, changes: [])
        _ = Update.update(&state, .rollbackPlanned(plan))
        #expect(state.dialog?.title == "Roll back main to 333333333333?")
        guard case .rollback? = F.press([.char("y")], &state).first else { Issue.record("y must roll back"); return }
    }

    /// A rollback that breaks the head's policy shows why; `y` asks the reason to override it,
    /// then the dialog again with the reason, and only that `y` rolls back, carrying the reason.
    @Test func aRollbackThatBreaksThePolicyAsksAReasonToOverrideIt() {
        var state = F.state()
        F.press([.char("3"), .char("j")], &state)
        guard case .planRollback(let commit)? = F.press([.char("r")], &state).first else { Issue.record("no plan"); return }
        let violation = Violation(rule: "keep-things", resource: nil, message: "deletes 1 resources, more than the 0 allowed")
        _ = Update.update(&state, .rollbackPlanned(RollbackPlan(head: F.head, restore: commit, changes: [], violations: [violation])))
        #expect(state.dialog?.title == "Rolling back to 333333333333 breaks the policy")
        let screen = Views.render(state).text
        #expect(screen.contains("keep-things: deletes 1 resources") && screen.contains("y: override the policy, giving a reason"), "\(screen)")
        #expect(F.press([.char("y")], &state).isEmpty, "y asks first")
        guard case .reason(.overridingPolicy)? = state.prompt?.kind else { Issue.record("no reason asked: \(String(describing: state.prompt))"); return }
        #expect(Views.render(state).text.contains("reason for overriding the policy: "))
        F.press([.enter], &state)
        #expect(state.flash?.text == "say why, in a few words (Esc cancels)", "an empty reason is not one")
        F.press("incident 42".map(Key.char) + [.enter], &state)
        #expect(state.dialog?.title == "Roll back main to 333333333333, overriding the policy?")
        guard case .rollback(_, let reason)? = F.press([.char("y")], &state).first else { Issue.record("y must roll back"); return }
        #expect(reason == "incident 42")
        // Cancelled at the reason: nothing.
        _ = Update.update(&state, .rollbackPlanned(RollbackPlan(head: F.head, restore: commit, changes: [], violations: [violation])))
        F.press([.char("y"), .escape], &state)
        #expect(state.prompt == nil && state.dialog == nil)
    }

    @Test func filteringNarrowsTheListAndCountsMatches() {
        var state = F.state()
        F.press([.char("/"), .char("e"), .char("t"), .char("c")], &state)
        #expect(state.resources.rows.count == 3)
        #expect(Views.render(state).text.contains("/etc: 3 of 6 match"))
        F.press([.enter], &state)
        #expect(state.prompt == nil)
        #expect(state.resources.filter == "etc", "Enter keeps the filter")
        F.press([.escape], &state)
        #expect(state.resources.rows.count == 6, "Esc clears it")
        F.press([.char("/"), .char("E"), .char("T"), .char("C"), .char("/"), .char("M")], &state)
        #expect(state.resources.rows.count == 1, "case does not matter; each letter narrows")
        #expect(state.resources.selected?.path == "etc/motd")
        F.press([.backspace, .backspace, .backspace], &state)
        #expect(state.resources.rows.count == 3, "a shorter filter widens again")
    }

    @Test func eventsFollowUntilTheCursorLeavesTheNewest() {
        var state = F.state()
        F.press([.char("4")], &state)
        #expect(state.events.shown == 3, "three fetch failures fold into one row")
        #expect(state.events.items.last?.count == 3)
        #expect(state.follow && state.events.cursor == 2)
        F.press([.char("k")], &state)
        #expect(!state.follow)
        _ = Update.update(&state, .journal([Event(.driftResolved, .info, message: "back in sync", time: F.now)]))
        #expect(state.events.cursor == 1, "not following: the cursor stays")
        F.press([.char("f")], &state)
        #expect(state.follow && state.events.cursor == 3)
        F.press([.char("l")], &state)
        #expect(state.events.rows.allSatisfy { state.events.items[$0].event.level != .info }, "warnings and worse")
    }

    @Test func theCommandLineCompletesAndRuns() {
        var state = F.state()
        F.press([.char(":"), .char("t"), .tab], &state)
        #expect(state.prompt?.text == "theme ")
        let effects = F.press("light".map { .char($0) } + [.enter], &state)
        guard case .loadTheme("light")? = effects.first else { Issue.record("\(effects)"); return }
        #expect(state.themeName == "default", "nothing changes until the theme is read")
        F.press([.char(":"), .char("n"), .char("o"), .enter], &state)
        #expect(state.flash?.text.hasPrefix("unknown command :no") == true)
        let quit = F.press([.char(":"), .char("q"), .enter], &state)
        guard case .quit? = quit.first else { Issue.record("\(quit)"); return }
    }

    /// `:theme` reads the file off the terminal's thread; its answer comes back through `update`,
    /// which names the theme and asks the shell to draw with it, or says why it cannot.
    @Test func aLoadedThemeIsAppliedThroughUpdateAndAMissingOneIsSaid() throws {
        var state = F.state()
        let light = try #require(Theme.builtIn.first { $0.name == "light" })
        let effects = Update.update(&state, .themeLoaded(.success(light)))
        guard case .applyTheme(let applied)? = effects.first else { Issue.record("\(effects)"); return }
        #expect(applied.name == "light" && state.themeName == "light")
        #expect(state.flash?.text == "theme light")
        _ = Update.update(&state, .themeLoaded(.failure(ThemeError("no theme named `dawn`: choose one of default, light"))))
        #expect(state.themeName == "light")
        #expect(state.flash?.text == "no theme named `dawn`: choose one of default, light" && state.flash?.role == .error)
        #expect(state.loadProblem == nil, "a theme is not something a view waits for")
    }

    @Test func theHeaderSaysWhetherTheHeadsSignatureVerifies() {
        var state = F.state()
        #expect(!Views.render(state).text.contains("verified"), "nothing said without a trust root")
        var snapshot = F.snapshot
        snapshot.headSignature = .unsigned
        _ = Update.update(&state, .snapshot(snapshot, at: F.now))
        #expect(Views.render(state).text.split(separator: "\n")[0].contains("head a1b2c3d4e5f6 UNVERIFIED"), "\(Views.render(state).text)")
        snapshot.headSignature = .verified(signer: "olga@example.com")
        _ = Update.update(&state, .snapshot(snapshot, at: F.now))
        #expect(Views.render(state).text.split(separator: "\n")[0].contains("verified"))
    }

    @Test func anObserverRefusesToSyncOrPause() {
        var state = F.state()
        _ = Update.update(&state, .modeChanged(EngineMode(autoSync: true, observerOf: "another plumb (pid 42) is reconciling this state dir")))
        #expect(F.press([.char("S")], &state).isEmpty)
        #expect(state.flash?.text == "observer only: another plumb (pid 42) is reconciling this state dir")
        #expect(F.press([.char("p")], &state).isEmpty)
    }

    @Test func syncingAnExtraAsksBecauseItDeletes() {
        var state = F.state()
        while state.resources.selected?.drift != .extra { F.press([.char("j")], &state) }
        #expect(F.press([.char("s")], &state).isEmpty)
        #expect(state.dialog?.title == "Prune File/old.conf?")
        guard case .sync(let ids, prune: true)? = F.press([.char("y")], &state).first else { Issue.record("y must prune"); return }
        #expect(ids == [ResourceID(kind: "File", name: "old.conf")])
    }

    @Test func syncingAFileAPurgingDirectoryWillDeleteSaysPurgeAndSaved() {
        let conf = DesiredResource(id: ResourceID(kind: "Directory", name: "conf"), path: "etc/conf.d", shape: .directory(DirectorySpec(mode: 0o755, purge: true)),
                                   sensitive: false, origin: SourceLocation(file: "resources/conf.yaml", line: 1, column: 1))
        let stray = ResourceStatus.extra(ResourceID(kind: "File", name: "conf/debug.conf"), path: "etc/conf.d/debug.conf",
                                         observed: .file(blob: "x", mode: 0o644, size: 3), owner: conf.id, applied: nil)
        var state = ConsoleState(width: 80, height: 24, now: F.now, source: "s", branch: "main", mode: EngineMode(autoSync: false), themeName: "default")
        _ = Update.update(&state, .snapshot(Snapshot(head: F.head, applied: F.head, desired: DesiredState(revision: F.head, resources: [conf], settings: Settings()),
                                                     statuses: [.compare(conf, .directory(mode: 0o755)), stray]), at: F.now))
        while state.resources.selected?.drift != .extra { F.press([.char("j")], &state) }
        #expect(F.press([.char("s")], &state).isEmpty)
        #expect(state.dialog?.title == "Purge File/conf/debug.conf?")
        #expect(state.dialog?.lines.contains { $0.0.contains("saved in the state dir first") } == true)
        guard case .sync(let ids, prune: false)? = F.press([.char("y")], &state).first else { Issue.record("y must sync it"); return }
        #expect(ids == [stray.id])
    }

    @Test func aSyncedDirectoryStillLoadsItsDetailForWhatItIgnoresAndPurges() {
        var state = F.state()
        var effects: [Effect] = []
        while state.resources.selected?.id.description != "Directory/app" { effects = F.press([.char("j")], &state) }
        #expect(effects.contains { if case .loadDiff(let status, _) = $0 { return status.id.description == "Directory/app" } else { return false } }, "\(effects)")
    }

    @Test func syncingAHandEditAsksFirstAndAPlainChangeSyncsAtOnce() {
        var state = F.state()
        // File/app/config.ini holds other content than declared: a hand edit.
        while state.resources.selected?.id.description != "File/app/config.ini" { F.press([.char("j")], &state) }
        #expect(F.press([.char("s")], &state).isEmpty, "nothing runs before y")
        #expect(state.dialog?.title == "Overwrite File/app/config.ini?")
        #expect(state.dialog?.lines.contains { $0.text.contains("saved in the state dir first") } == true)
        #expect(F.press([.char("n")], &state).isEmpty && state.dialog == nil, "any other key cancels")
        F.press([.char("s")], &state)
        guard case .sync(let ids, prune: false)? = F.press([.char("y")], &state).first else { Issue.record("y must sync it"); return }
        #expect(ids == [ResourceID(kind: "File", name: "app/config.ini")])
        // A missing file has nothing to overwrite: s syncs it at once.
        while state.resources.selected?.id.description != "File/issue" { F.press([.char("k")], &state) }
        guard case .sync(let missing, prune: false)? = F.press([.char("s")], &state).first else { Issue.record("s must sync a missing file at once"); return }
        #expect(missing == [ResourceID(kind: "File", name: "issue")])
    }

    @Test func aNewHeadReloadsTheHistoryWithoutBlankingItOrMovingTheSelection() {
        var state = F.state()
        F.press([.char("3"), .char("j"), .char("j")], &state)
        #expect(state.history.selected?.sha == F.applied)
        let moved = Snapshot(head: "5555555555555555555555555555555555555555", applied: F.applied,
                             desired: DesiredState(revision: F.head, resources: [], settings: Settings()), statuses: F.statuses)
        let effects = Update.update(&state, .snapshot(moved, at: F.now))
        guard let reload = effects.first(where: { if case .loadHistory(skip: 0, _) = $0 { return true } else { return false } }),
              case .loadHistory(_, let epoch) = reload else { Issue.record("no reload: \(effects)"); return }
        // Until the first page comes, what was shown stays and keys act on it.
        #expect(state.history.selected?.sha == F.applied)
        guard case .planRollback(let commit)? = F.press([.char("r")], &state).first else { Issue.record("r did nothing while reloading"); return }
        #expect(commit.sha == F.applied)
        let newest = Commit(sha: "5555555555555555555555555555555555555555", author: "Ada", time: F.now, subject: "newer")
        _ = Update.update(&state, .historyLoaded(epoch: epoch, skip: 0, [newest] + F.commits, complete: true))
        #expect(state.history.items.count == F.commits.count + 1, "replaced, not appended")
        #expect(state.history.selected?.sha == F.applied, "the selection stays on its commit")
        // On the newest row, the selection follows the head.
        F.press([.char("g")], &state)
        let newer = Commit(sha: "6666666666666666666666666666666666666666", author: "Ada", time: F.now, subject: "newest")
        let next = Snapshot(head: newer.sha, applied: F.applied, desired: DesiredState(revision: F.head, resources: [], settings: Settings()), statuses: F.statuses)
        _ = Update.update(&state, .snapshot(next, at: F.now))
        _ = Update.update(&state, .historyLoaded(epoch: state.history.epoch, skip: 0, [newer, newest] + F.commits, complete: true))
        #expect(state.history.selected?.sha == newer.sha)
    }

    @Test func theHeaderShortensTheSourceThenTheRevisionsBeforeAnythingVanishes() {
        var state = F.state()
        state.source = "/home/operator/projects/infrastructure/desired-state/site.git"
        let first = Views.render(state).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first == " plumb  site.git (main)   head \(F.head.prefix(12))   applied \(F.applied.prefix(12))", "\(first)")
        state.previewedHost = "web2.example"
        let preview = Views.render(state).text.split(separator: "\n").first.map(String.init) ?? ""
        #expect(preview == " plumb  site.git (main)   head \(F.head.prefix(7))   applied \(F.applied.prefix(7))   as host web2.example", "\(preview)")
        let second = Views.render(state).text.split(separator: "\n")[1]
        #expect(second.hasSuffix("↻ 3s ago"), "the age of the last pass stays at 80 columns: \(second)")
    }

    @Test func pauseWithAutoSyncOffSaysWhatItWouldTakeAndChangesNothing() {
        var state = F.state(autoSync: false)
        #expect(F.press([.char("p")], &state).isEmpty)
        #expect(!state.mode.paused)
        #expect(state.flash?.text == "auto-sync is off: nothing to pause (s, S or :sync mend drift)", "\(String(describing: state.flash))")
        var on = F.state(autoSync: true)
        guard case .setPaused(true)? = F.press([.char("p")], &on).first else { Issue.record("p must pause auto-sync"); return }
    }

    @Test func enterOnAnEventOpensItsWholeTextWrappedAndEscClosesIt() {
        var state = F.state()
        let long = "applied \(F.head.prefix(12)): " + Array(repeating: "a long message with many words", count: 6).joined(separator: " ")
        _ = Update.update(&state, .journal([Event(.syncSucceeded, .info, revision: F.head, message: long, time: F.now)]))
        F.press([.char("4"), .char("G")], &state)
        #expect(F.press([.enter], &state).isEmpty, "pure: the event is in memory")
        let lines = try? #require(state.events.detail?.lines.map(\.text))
        #expect(lines?.contains("reason    SyncSucceeded") == true)
        #expect(lines?.contains("revision  \(F.head)") == true, "the whole revision")
        #expect(lines?.first?.hasPrefix("time      ") == true)
        let message = lines?.drop { !$0.isEmpty }.dropFirst() ?? []
        #expect(message.count > 2 && message.allSatisfy { DisplayWidth.of($0) <= 78 }, "wrapped to the pane: \(message)")
        #expect(message.map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ") == long, "nothing cut")
        #expect(Views.render(state).text.contains("reason    SyncSucceeded"))
        F.press([.escape], &state)
        #expect(state.events.detail == nil)
    }

    @Test func rejectingAsksForAReasonThenConfirmsWithIt() {
        var state = F.state()
        F.press([.char("2")], &state)
        let proposal = state.proposals.selected?.proposal
        #expect(F.press([.char("x")], &state).isEmpty)
        guard case .reason(.rejecting)? = state.prompt?.kind, state.dialog == nil else { Issue.record("a reason first"); return }
        #expect(Views.render(state).text.contains("reason for rejecting \(proposal?.branch ?? "")"))
        #expect(F.press([.enter], &state).isEmpty && state.prompt != nil, "an empty reason is not taken")
        F.press("y, not this".map { .char($0) }, &state)
        #expect(state.dialog == nil, "y types into the reason, it confirms nothing")
        F.press([.enter], &state)
        #expect(state.dialog?.lines.contains { $0.text.contains("reason: y, not this") } == true)
        guard case .reject(let branch, let reason)? = F.press([.char("y")], &state).first else { Issue.record("y must reject"); return }
        #expect(branch == proposal && reason == "y, not this")
    }

    @Test func aCommitsDetailShowsItsWholeMessageTrailersAndWhyItsRevisionIsInvalid() {
        var state = F.state()
        guard case .loadCommit(let commit, let epoch)? = F.press([.char("3"), .char("j"), .enter], &state).last else {
            Issue.record("Enter must load the commit")
            return
        }
        let message = CommitMessage(author: "Olga Operator <olga@example.com>", authored: F.now, committer: "plumb <plumb@localhost>", committed: F.now,
                                    body: "Roll back to 444444444444: add the app\n\nThe login page broke.\n\nRollback-of: 4444444444444444444444444444444444444444\nRequested-by: Olga Operator <olga@example.com>")
        let problem = Diagnostic(SourceLocation(file: "resources/app.yaml", line: 3, column: 7), "unknown field `colour` in the spec of a File")
        _ = Update.update(&state, .commitLoaded(epoch: epoch, CommitDetail(message: message, changes: [], diff: [], invalid: [problem])))
        let lines = state.history.detail?.lines ?? []
        #expect(commit.sha == "3333333333333333333333333333333333333333")
        #expect(lines.first?.text.hasPrefix("author     Olga Operator <olga@example.com>  ") == true, "\(lines)")
        #expect(lines.contains { $0.text == "  The login page broke." })
        #expect(lines.contains { $0.text.hasPrefix("  Rollback-of: 4444") && $0.role == .info }, "trailers stand out")
        #expect(lines.contains { $0.text == "this revision is invalid: plumb never applies it" && $0.role == .error })
        #expect(lines.contains { $0.text == "  resources/app.yaml:3:7: unknown field `colour` in the spec of a File" }, "and why, not a delete of every resource")
    }

    @Test func anEventOfAnotherDayCarriesItsDate() {
        var state = F.state()
        F.press([.char("4")], &state)
        #expect(!Views.render(state).text.contains("11-17 "), "today's events say only the time")
        let yesterday = Event(.fetchFailed, .error, message: "the source was away", time: F.now.addingTimeInterval(-86_400))
        _ = Update.update(&state, .journal([yesterday]))
        let text = Views.render(state).text
        #expect(text.contains("11-17 11:06 error"), "a day before F.now (2026-11-18 11:06:40 UTC): \(text)")
    }

    @Test func aPreviewOfAnotherHostSaysSoInTheHeader() {
        var state = F.state(width: 120)
        state.previewedHost = "web2"
        #expect(Views.render(state).text.split(separator: "\n").first?.contains("as host web2") == true)
    }

    @Test func historyLoadsTheNextPageNearTheEnd() {
        var state = ConsoleState(width: 80, height: 24, now: F.now, source: "s", branch: "main", mode: EngineMode(autoSync: false), themeName: "default")
        F.press([.char("3")], &state)
        let page = (0..<200).map { Commit(sha: String(format: "%040d", $0), author: "a", time: F.now, subject: "c\($0)") }
        _ = Update.update(&state, .historyLoaded(epoch: state.history.epoch, skip: 0, page, complete: false))
        #expect(F.press([.char("j")], &state).isEmpty)
        let effects = F.press([.char("G")], &state)
        guard case .loadHistory(skip: 200, _)? = effects.first else { Issue.record("\(effects)"); return }
        #expect(F.press([.char("k")], &state).isEmpty, "one page at a time")
    }

    /// With a trust root, the history marks each commit's signature, read only for the rows on
    /// screen and each commit once; without one there is no such column.
    @Test func historyMarksSignaturesOfTheRowsOnScreenOnly() {
        var state = F.state()
        F.press([.char("3")], &state)
        #expect(Views.render(state).text.contains("\n   COMMIT"), "no trust root, no column: \(Views.render(state).text)")
        F.press([.char("1")], &state)
        state.headSignature = .verified(signer: "olga@example.com")
        let page = (0..<200).map { Commit(sha: String(format: "%040d", $0), author: "a", time: F.now, subject: "c\($0)") }
        _ = Update.update(&state, .historyLoaded(epoch: state.history.epoch, skip: 0, page, complete: false))
        let asked = F.press([.char("3")], &state).compactMap { effect -> [String]? in
            if case .loadSignatures(let shas) = effect { return shas } else { return nil }
        }.flatMap { $0 }
        let rows = Layout(state).listRows
        #expect(asked == page.prefix(rows).map(\.sha), "the \(rows) rows on screen, not all 200: \(asked.count)")
        #expect(Views.render(state).text.contains(" S   COMMIT") && Views.render(state).text.contains(" ·   0000000000"), "a mark not read yet")
        let again = F.press([.char("j")], &state).filter { if case .loadSignatures = $0 { true } else { false } }
        #expect(again.isEmpty, "each commit is asked for once")
        _ = Update.update(&state, .signaturesLoaded([page[0].sha: .verified(signer: "olga@example.com"), page[1].sha: .unsigned]))
        let screen = Views.render(state).text
        #expect(screen.contains(" ✓   0000000000") && screen.contains(" ✗   0000000000"), "\(screen)")
        let further = F.press([.pageDown], &state).flatMap { effect -> [String] in
            if case .loadSignatures(let shas) = effect { return shas } else { return [] }
        }
        #expect(!further.isEmpty && Set(further).isDisjoint(with: asked), "the next screen's rows, as they come into view")
    }

    @Test func aTinyTerminalGetsANoticeAndOnlyQuitWorks() {
        var state = F.state()
        _ = Update.update(&state, .input(.resize(width: 40, height: 10)))
        #expect(Views.render(state).text.contains("terminal too small: 40x10"))
        #expect(F.press([.char("2")], &state).isEmpty)
        #expect(state.view == .resources)
        _ = Update.update(&state, .input(.resize(width: 80, height: 24)))
        #expect(Views.render(state).text.contains("Resources"))
        guard case .quit? = F.press([.ctrl("c")], &state).first else { Issue.record("Ctrl-C quits"); return }
    }

    @Test func theMouseSelectsScrollsAndSwitchesViews() {
        var state = F.state()
        let layout = Layout(state)
        _ = Update.update(&state, .input(.mouse(.click(x: 5, y: layout.listY + 2))))
        #expect(state.resources.cursor == 2, "a click selects the row under it")
        _ = Update.update(&state, .input(.mouse(.wheelDown(x: 5, y: layout.listY))))
        #expect(state.resources.cursor == 5, "the wheel moves three rows")
        _ = Update.update(&state, .input(.mouse(.click(x: 16, y: Layout.bodyTop - 1))))
        #expect(state.view == .proposals, "a click on a tab opens its view")
    }

    @Test func helpIsGeneratedFromTheKeymap() {
        var state = F.state()
        F.press([.char("2"), .char("?")], &state)
        let text = Views.render(state).text
        for binding in Keymap.bindings(in: .proposals) { #expect(text.contains(binding.summary), "\(binding.summary)") }
        #expect(text.contains("approve the selected proposal !"))
        F.press([.char("x")], &state)
        #expect(!state.help && state.dialog == nil, "a key closes the help and does nothing else")
    }
}
