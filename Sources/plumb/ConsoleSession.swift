import Console
import DesiredState
import Engine
import Foundation
import Synchronization
import TerminalBackend
import ThemeFiles
import VersionSource

/// The console's shell: one thread owns the terminal and runs `update`; the engine, git and the
/// disk work elsewhere and post their results. The loop sleeps in poll(2) until a key, a result
/// or the next moment an age on screen changes: never on a clock.
final class ConsoleSession: @unchecked Sendable {
    let engine: Engine
    let reconciler: Reconciler?
    /// Beside another engine (no reconciler here): what looks at the target for this console.
    let observer: ObserverLoop?
    let terminal: Terminal
    /// Touched only on the terminal's thread.
    private var state: ConsoleState
    private let inbox = Mutex<[ConsoleEvent]>([])
    private let wakeRead: Int32, wakeWrite: Int32
    private let stopped = Mutex(false)

    /// The commits loaded at a time: the first page is the one the engine keeps.
    static let historyPage = BranchHistory.depth

    init(engine: Engine, reconciler: Reconciler?, terminal: Terminal, theme: Theme, mode: EngineMode) {
        self.engine = engine
        self.reconciler = reconciler
        observer = reconciler == nil ? ObserverLoop(engine: engine) : nil
        self.terminal = terminal
        terminal.apply(theme)
        state = ConsoleState(width: terminal.width, height: terminal.height, now: Date(),
                             source: engine.config.source.url, branch: engine.config.source.branch, mode: mode, themeName: theme.name)
        state.previewedHost = engine.config.isOtherHost ? engine.config.host : nil
        var ends: [Int32] = [0, 0]
        _ = pipe(&ends)
        for end in ends { _ = fcntl(end, F_SETFL, O_NONBLOCK); _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
        terminal.wakeOnResize(wakeWrite)
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    /// Hands a result to the terminal's thread.
    func post(_ event: ConsoleEvent) {
        inbox.withLock { $0.append(event) }
        _ = write(wakeWrite, "x", 1)
    }

    /// Runs the console until quit, then gives the terminal back and lets the engine finish its
    /// step in progress.
    func run() async {
        let engineTask = startEngine()
        let journal = startJournal()
        let signals = SignalWatch([SIGTERM, SIGINT, SIGHUP]) { [self] in post(.terminate) }
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            let thread = Thread { [self] in
                loop()
                done.resume()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        terminal.restore()
        stopped.withLock { $0 = true }
        journal?.stop()
        engineTask.cancel()
        await engineTask.value
        withExtendedLifetime(signals) {}
    }

    // MARK: The terminal's thread

    private func loop() {
        while !state.quitting {
            apply(.tick(Date()))
            terminal.draw(Views.render(state))
            var fds = [pollfd(fd: terminal.inputDescriptor, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let timeout = state.nextRedraw.map { Int32(clamping: max(0, Int(($0.timeIntervalSinceNow * 1000).rounded(.up)))) } ?? -1
            let ready = poll(&fds, 2, timeout)
            // The terminal went away (a closed ssh session, a killed tmux): nobody is left to see.
            if ready > 0 && fds[0].revents & Int16(POLLHUP | POLLERR | POLLNVAL) != 0 {
                apply(.terminate)
                continue
            }
            // Keys, and a resize: its signal wrote to the wake pipe, and ncurses has KEY_RESIZE waiting.
            if ready != 0 { for input in terminal.readInput() { apply(.input(input)) } }
            if ready > 0 && fds[1].revents != 0 {
                var byte = [UInt8](repeating: 0, count: 256)
                while read(wakeRead, &byte, byte.count) > 0 {}
                for event in inbox.withLock({ events in defer { events = [] }; return events }) { apply(event) }
            }
        }
    }

    private func apply(_ event: ConsoleEvent) {
        for effect in Update.update(&state, event) { perform(effect) }
    }

    private func perform(_ effect: Effect) {
        switch effect {
        case .quit: return
        case .applyTheme(let theme): terminal.apply(theme)
        case .setPaused(let paused): reconciler?.setPaused(paused)
        default:
            Task.detached { [self] in
                do { if let event = try await result(of: effect) { post(event) } } catch { post(.failed("\(error)")) }
            }
        }
    }

    // MARK: Effects, off the terminal's thread

    private func result(of effect: Effect) async throws -> ConsoleEvent? {
        switch effect {
        case .fetchNow:
            // The reconciler fetches beside its passes; an observer fetches itself, then looks again.
            if let reconciler { await reconciler.fetchNow() } else {
                try await engine.fetch()
                observer?.wake()
            }
            let head = try await engine.mirror.head().map { String($0.prefix(12)) } ?? "nothing yet"
            return .done("fetched: \(engine.config.source.branch.escapingControlCharacters) is at \(head)")
        case .loadDiff(let status, let epoch):
            return .diffLoaded(epoch: epoch, lines: try await engine.diffs([status]).first ?? [])
        case .loadProposals(let epoch):
            return .proposalsLoaded(epoch: epoch, try await engine.reviewProposals(head: try await engine.currentHead()))
        case .loadProposalDiff(let review, let epoch):
            let merged: String = if case .clean(let tree) = review.merge { tree } else { review.proposal.head }
            return .proposalDiffLoaded(epoch: epoch, lines: try await engine.changeDiff(from: review.base, to: merged))
        case .loadHistory(let skip, let epoch):
            var commits: [Commit] = []
            try await engine.history(skip: skip, limit: Self.historyPage) { commits += $0; return true }
            return .historyLoaded(epoch: epoch, skip: skip, commits, complete: commits.count < Self.historyPage)
        case .loadSignatures(let shas):
            var verdicts: [String: SignatureVerdict] = [:]
            for sha in shas { verdicts[sha] = try await engine.signature(of: sha) ?? .bad("no trust root is given") }
            return .signaturesLoaded(verdicts)
        case .loadCommit(let commit, let epoch):
            return .commitLoaded(epoch: epoch, try await engine.commitDetail(of: commit))
        case .planSyncAll:
            var options = SyncOptions()
            options.dryRun = true
            options.fetch = false
            return .syncPlanned(SyncSummary(try await engine.sync(options), dryRun: true))
        case .sync(let ids, let prune):
            var options = SyncOptions(ids: ids)
            options.prune = prune
            options.fetch = false
            // The engine in this process runs it between its passes (an observer never syncs).
            guard let reconciler else { return .failed("observer only: the engine beside this console syncs") }
            let summary = try await reconciler.sync(options)
            let failed = summary.failures.count
            // What was kept is said, not counted as synced: the console never claims a change it did not make.
            let kept = summary.changes.filter { $0.result == .skipped }
            let keptWords = kept.first.map { "; kept \($0.id): \($0.message ?? "not safe to prune")" + (kept.count > 1 ? " (and \(kept.count - 1) more)" : "") } ?? ""
            return failed == 0 ? .done("synced \(summary.changes.count - kept.count) change(s) at \(summary.revision.prefix(12))\(keptWords)")
                : .failed("\(failed) of \(summary.changes.count) change(s) failed; see the events (4)")
        case .planRollback(let commit):
            return .rollbackPlanned(try await engine.planRollback(to: commit.sha))
        case .rollback(let plan, let reason):
            let commit = try await engine.rollback(plan, overridePolicy: reason)
            engine.config.stateDir.wakeEngine()
            return .done("rolled back to \(plan.restore.short) as \(commit.prefix(12)), pushed")
        case .approve(let review):
            let (commit, kept) = try await engine.approve(review)
            engine.config.stateDir.wakeEngine()
            return .done("approved \(review.proposal.branch) as \(commit.prefix(12))" + (kept.map { "; the branch was kept: \($0)" } ?? ""))
        case .reject(let proposal, let reason):
            try await engine.reject(proposal, reason: reason)
            return .done("rejected \(proposal.branch)")
        case .loadTheme(let name):
            return .themeLoaded(ThemeFiles.load(name, directories: [ThemeFiles.userDirectory()]))
        case .quit, .applyTheme, .setPaused:
            return nil
        }
    }

    // MARK: The engine and the journal

    /// The reconcile loop when this console holds the state dir; else an observer that looks at
    /// the target whenever it or the journal changes.
    private func startEngine() -> Task<Void, Never> {
        if let reconciler {
            return Task.detached { [self] in
                await reconciler.run { [self] pass in
                    if let snapshot = pass.snapshot { post(.snapshot(snapshot, at: Date())) }
                    post(.engineProblem(pass.error))
                    post(.modeChanged(EngineMode(autoSync: pass.autoSync, paused: reconciler.isPaused)))
                }
            }
        }
        return Task.detached { [self] in
            await observer?.run { [self] seen in
                switch seen {
                case .success(let snapshot):
                    post(.snapshot(snapshot, at: Date()))
                    post(.engineProblem(snapshot.invalidHead.map { "\($0)" }))
                case .failure(let error):
                    post(.engineProblem("\(error)"))
                }
            }
        }
    }

    /// The newest events, then each new one as it is journalled: this process's as it writes
    /// them, another's (an agent beside an observer, a `plumb sync`) when the follower reads them.
    private func startJournal() -> JournalFollower? {
        let store = engine.store
        let recent = (try? store.events(last: ConsoleState.eventLimit)) ?? []
        post(.journal(recent))
        let follower = try? JournalFollower(store: store, stateDir: engine.config.stateDir, after: recent.last?.sequence ?? 0)
        // From here on the follower leaves this process's events out: they arrive once, with the
        // pass that wrote them, not again a moment later.
        store.onAppend { [self] events in
            follower?.deliveredElsewhere(events)
            post(.journal(events))
        }
        let thread = Thread { [self] in
            while let follower, !stopped.withLock({ $0 }) {
                guard let events = try? follower.next(), !events.isEmpty else { continue }
                post(.journal(events))
                // An observer looks at the target again when the engine beside it has done something.
                observer?.wake()
            }
        }
        thread.start()
        return follower
    }
}
