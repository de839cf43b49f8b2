import ChildProcess
import DesiredState
import Foundation
import Logging
import Synchronization

/// The engine loop that `plumb agent` runs, and the console in-process: fetch, observe, journal
/// drift as it appears and goes, and with auto-sync apply. One per state dir: it holds the lock
/// for its whole life.
public final class Reconciler: Sendable {
    public struct Options: Sendable {
        /// Flags win over `plumb.yaml`; nil means "as plumb.yaml says".
        public var interval: Duration?
        public var autoSync: Bool?
        public var prune = false
        /// Fetch the source on each pass (`--no-fetch` turns it off).
        public var fetch = true

        public init() {}
    }

    /// What one pass found.
    public struct Pass: Sendable {
        public let inSync: Bool
        public let error: String?
        /// When the next pass is due.
        public let wait: Duration
        /// The target's folders that hold its resources, to watch until then.
        public var folders: [String] = []
        /// The target as the pass left it; nil when the pass failed before observing.
        public var snapshot: Snapshot?
        /// Whether this pass would apply drift (flags, else plumb.yaml), pause aside.
        public var autoSync = false
        /// The target as `plumb status` would show it now (`view(fetch:)`); nil when the pass
        /// failed, compared the target with another revision than the head, or met Services.
        public var view: Snapshot?
    }

    public let engine: Engine
    let options: Options
    let lock: EngineLock
    let logger = Logger(label: "plumb.agent")
    private let failures = Mutex(0)
    /// Fetches failed in a row (for the backoff of `run`'s fetches). While it is not 0, a pass
    /// that does not fetch says nothing of the source, so that failure stays on record.
    private let fetchFailures = Mutex(0)
    /// Resources the last sync could not mend and will not mend by trying again (a prune that was
    /// not safe, an extra it may not prune): their drift does not start a sync on every pass.
    private let stuck = Mutex<Set<ResourceID>>([])
    /// Set from the console: drift is shown and journalled, not applied, until resumed.
    private let paused = Mutex(false)
    /// The review of proposals running beside the passes, if one is.
    private let review = Mutex<Task<Void, Never>?>(nil)
    /// Syncs asked in this process (the console's `s` and `S`), each with its waiting caller: the
    /// loop runs them between passes, as it runs a request from another process, but without the
    /// request table and its polling. nil once the loop has stopped: nothing runs them any more.
    private let asked = Mutex<[(options: SyncOptions, answer: CheckedContinuation<SyncSummary, any Error>)]?>([])
    /// What the loop waits on between passes, to wake it for a sync asked here.
    private let waiting = Mutex<TargetWatch?>(nil)
    /// Delivers the events each pass journals to `plumb.yaml`'s alerts, beside the passes.
    private let alerts: AlertDispatcher
    /// Views asked by `view(fetch:)`, each waiting for its cookie to be seen; nil once the loop
    /// has stopped. `cookies` numbers them.
    private let views = Mutex<[(cookie: UInt64, answer: CheckedContinuation<Snapshot?, Never>)]?>([])
    private let cookies = Mutex<UInt64>(0)
    /// Whether the last pass made a view: when it did not, a view is not waited for.
    private let viewable = Mutex(false)

    /// Takes the state dir's lock, or explains which process holds it.
    public init(engine: Engine, options: Options) throws {
        self.engine = engine
        self.options = options
        alerts = AlertDispatcher(engine: engine)
        lock = try EngineLock(path: engine.config.stateDir.lock, purpose: "reconciling this state dir", takesRequests: true)
        // Made now, so that it can be watched for requests from the start.
        engine.config.stateDir.wakeEngine()
        try engine.config.stateDir.prepareCookies()
    }

    public var isPaused: Bool { paused.withLock { $0 } }

    /// Fetches the source now instead of at the interval (the console's `R`), and returns when
    /// it is done; the pass it wakes brings the new head. A fetch already running is not started
    /// twice: this returns at once, and that one brings it.
    public func fetchNow() async {
        fetchSchedule.withLock { $0.due = ContinuousClock.now }
        await fetchAsideIfDue(interval: options.interval ?? .seconds(30))?.value
    }

    /// The target as `plumb status` would show it at this moment, without observing it again when
    /// nothing changed since the last pass: a cookie made now is waited for, so every change made
    /// before this call has been seen (and has started a pass) when it returns. With `fetch`, the
    /// source is fetched first, as `plumb status` does; a new head makes a pass. nil when the loop
    /// cannot say: it is not running or has no watch, or its last pass left no view (it failed,
    /// kept to the applied revision, or met Services, whose state changes where no watch sees it).
    public func view(fetch: Bool) async -> Snapshot? {
        guard waiting.withLock({ $0 }) != nil, viewable.withLock({ $0 }) else { return nil }
        // Fetched here rather than beside the passes: a fetch that brings nothing new costs no
        // pass, since the view stands while the head does not move. A fetch that fails is the
        // asker's to report: it fetches (and fails) by itself.
        if fetch && options.fetch {
            do { try await engine.fetch() } catch { return nil }
        }
        let number = cookies.withLock { counter in counter += 1; return counter }
        return await withCheckedContinuation { answer in
            let queued = views.withLock { queue -> Bool in
                guard queue != nil else { return false }
                queue!.append((number, answer))
                return true
            }
            guard queued, TargetWatch.makeCookie(number, in: engine.config.stateDir.cookies) else {
                if queued { answerViews(upTo: number, with: nil) } else { answer.resume(returning: nil) }
                return
            }
        }
    }

    /// Answers the views whose cookies are at most `cookie`, and removes their files.
    private func answerViews(upTo cookie: UInt64, with snapshot: Snapshot?) {
        let due = views.withLock { queue -> [(cookie: UInt64, answer: CheckedContinuation<Snapshot?, Never>)] in
            guard let waiting = queue else { return [] }
            queue = waiting.filter { $0.cookie > cookie }
            return waiting.filter { $0.cookie <= cookie }
        }
        for view in due {
            unlink("\(engine.config.stateDir.cookies)/\(view.cookie)")
            view.answer.resume(returning: snapshot)
        }
    }

    /// Runs a sync in this engine's loop, between its passes, and returns what it did: for the
    /// console that runs the engine in-process. Another process hands its syncs in through the
    /// state dir instead (`Engine.requestSync`).
    public func sync(_ options: SyncOptions) async throws -> SyncSummary {
        try await withCheckedThrowingContinuation { answer in
            let queued = asked.withLock { queue -> Bool in
                guard queue != nil else { return false }
                queue!.append((options, answer))
                return true
            }
            guard queued else { return answer.resume(throwing: StateError("the engine has stopped; nothing was synced")) }
            wakeLoop()
        }
    }

    /// Cuts the loop's wait short: at once through its watch, or through the state dir's wake file.
    private func wakeLoop() {
        if let watch = waiting.withLock({ $0 }) { watch.wake() } else { engine.config.stateDir.wakeEngine() }
    }

    /// Runs the syncs asked in this process, oldest first, under the loop's lock.
    private func serveAsked() async {
        while let next = asked.withLock({ queue in queue?.isEmpty == false ? queue!.removeFirst() : nil }) {
            var options = next.options
            options.heldLock = lock
            do {
                next.answer.resume(returning: SyncSummary(try await engine.sync(options), dryRun: options.dryRun))
            } catch {
                next.answer.resume(throwing: error)
            }
        }
    }

    /// Pauses or resumes auto-sync; the next pass follows it.
    public func setPaused(_ value: Bool) {
        paused.withLock { $0 = value }
        engine.config.stateDir.wakeEngine()
    }

    /// One full reconcile: never throws; a failure is journalled and retried with backoff.
    /// `fetch: false` reads the source as last fetched: for a pass started by a change in the
    /// target, which says nothing new of the source. A pass that fetches (`agent --once`) ends
    /// after the review of proposals the fetch started beside it.
    ///
    /// What the pass journals is then delivered to the alerts of the `plumb.yaml` it read, beside
    /// the next passes (`flushAlerts` waits for it).
    public func pass(fetch: Bool = true) async -> Pass {
        let pass = await reconcile(fetch: fetch, journalFrom: (try? engine.store.lastSequence()) ?? 0)
        if fetch && options.fetch { await finishReview() }
        alerts.deliverAside()
        engine.store.compactJournal()
        return pass
    }

    /// Delivers every alert pending, trying each a few times: `agent --once`, before it exits.
    public func flushAlerts() async {
        await alerts.flush()
    }

    /// `journalFrom`: the journal's end as the pass began, where alert routes new in this pass start.
    private func reconcile(fetch: Bool, journalFrom start: Int64) async -> Pass {
        var interval = options.interval ?? .seconds(30)
        // Should this pass fail, when the next one comes: named in its FetchFailed or SyncFailed event.
        let retryAt = Date().addingTimeInterval(Self.seconds(Self.backoff(after: failures.withLock { $0 } + 1, interval: interval)))
        // A source that cannot be fetched (down, hung, refusing) does not stop the target from
        // being observed and healed with what the mirror holds: the failure is kept for the end.
        var fetchError: (any Error)?
        do {
            if fetch && options.fetch { fetchError = await fetchSource(retryAt: retryAt) }
            var snapshot = try await engine.snapshot(fetch: false)
            // A head that does not descend from the applied revision is never applied by itself:
            // the target is kept to the applied revision until an operator accepts the rewrite.
            var pinned = try await rewrittenHistory(snapshot)
            // A head whose signature does not verify (with a trust root given) is never applied
            // either: the target is kept to the applied revision while that one verifies, and
            // nothing is applied while it does not.
            let unverified = try await unverifiedHead(snapshot)
            var mayApply = true
            if unverified != nil {
                if let applied = snapshot.applied, applied != snapshot.head, try await engine.signatureProblem(of: applied) == nil {
                    pinned = applied
                } else {
                    mayApply = false
                }
            }
            if let pinned {
                let desired = try await engine.desiredState(at: pinned)
                let signature = snapshot.headSignature
                snapshot = Snapshot(head: snapshot.head, applied: snapshot.applied, desired: desired, statuses: try await engine.observe(desired))
                snapshot.headSignature = signature
            }
            let settings = snapshot.desired.settings
            alerts.use(settings.alerts, startingAfter: start)
            interval = options.interval ?? settings.interval
            try journalDrift(snapshot)
            try journalHealth(snapshot)
            var inSync = snapshot.allSynced
            var latest = snapshot
            let autoSync = options.autoSync ?? settings.autoSync
            // Apply when a sync can change something: drift outside what the last sync could not
            // mend, or a head not applied yet.
            let stuckNow = stuck.withLock { $0 }
            let due = (pinned == nil && snapshot.head != snapshot.applied)
                || snapshot.statuses.contains { $0.sync != .synced && !stuckNow.contains($0.id) }
            if !inSync, due, mayApply, autoSync, !paused.withLock({ $0 }), snapshot.invalidHead == nil {
                var sync = SyncOptions()
                sync.fetch = false
                sync.prune = options.prune || settings.prune
                sync.heldLock = lock
                sync.revision = pinned
                sync.retryAt = retryAt
                let report = try await engine.sync(sync)
                let after = try await engine.snapshot(fetch: false)
                latest = after
                try journalDrift(after)
                try journalHealth(after)
                inSync = report.failures.isEmpty && after.allSynced
                stuck.withLock {
                    $0 = Set(report.outcomes.filter { if case .skipped = $0.result { return true } else { return false } }.map(\.step.id)
                             + report.plan.keptExtras.map(\.id))
                }
                // A failure (a full disk, say) may pass: it is tried again, after the backoff.
                if !report.failures.isEmpty { throw StateError("\(report.failures.count) change(s) failed to apply") }
            }
            let folders = Self.folders(holding: snapshot.statuses.map(\.path), in: engine.target.root)
            if let fetchError {
                let failed = recordFailure(fetchError, interval: interval)
                return Pass(inSync: false, error: failed.error, wait: failed.wait, folders: folders, snapshot: latest, autoSync: autoSync)
            }
            if fetchFailures.withLock({ $0 }) == 0, failures.withLock({ count in defer { count = 0 }; return count > 0 }) {
                try engine.store.setMeta(.agentError, nil)
                try engine.store.setMeta(.agentRetryAt, nil)
            }
            let hasServices = latest.desired.resources.contains { $0.kind == .service }
            return Pass(inSync: inSync, error: unverified ?? snapshot.invalidHead.map { "\($0)" }, wait: min(interval, Self.probeInterval(latest) ?? interval),
                        folders: folders, snapshot: latest, autoSync: autoSync, view: pinned == nil && !hasServices ? latest : nil)
        } catch {
            let failed = recordFailure(fetchError ?? error, interval: interval)
            return Pass(inSync: false, error: failed.error, wait: failed.wait)
        }
    }

    /// Counts a failed pass, puts it where `plumb status` shows it, and says when to try again.
    private func recordFailure(_ error: any Error, interval: Duration) -> (error: String, wait: Duration) {
        let backoff = Self.backoff(after: failures.withLock { $0 += 1; return $0 }, interval: interval)
        showFailure(error, of: "reconcile", retryingIn: backoff)
        return ("\(error)", backoff)
    }

    /// Logs a failure and puts it where `plumb status` shows it, with the next attempt.
    private func showFailure(_ error: any Error, of what: String, retryingIn wait: Duration) {
        logger.error("\(what) failed; next attempt in \(Self.words(wait))", metadata: ["error": "\(error)"])
        try? engine.store.setMeta(.agentError, "\(error)")
        try? engine.store.setMeta(.agentRetryAt, Date().addingTimeInterval(Self.seconds(wait)).formatted(.iso8601))
    }

    /// Fetches the source, and reviews the proposals beside the passes when it worked; returns
    /// the failure, which the caller reports (`fetchFailures` counts it).
    private func fetchSource(retryAt: Date) async -> (any Error)? {
        do {
            try await engine.fetch(retryAt: retryAt)
        } catch {
            fetchFailures.withLock { $0 += 1 }
            return error
        }
        if fetchFailures.withLock({ count in defer { count = 0 }; return count > 0 }) {
            try? engine.store.setMeta(.agentError, nil)
            try? engine.store.setMeta(.agentRetryAt, nil)
        }
        reviewProposalsAside()
        return nil
    }

    /// When the source is fetched next, and whether a fetch is running: `run` fetches beside the
    /// passes, so that a source that hangs never keeps the target from being healed.
    private struct FetchSchedule {
        var running = false
        var due = ContinuousClock.now
    }
    private let fetchSchedule = Mutex(FetchSchedule())

    /// How long the loop waits after `pass`: the pass's own wait, or less when a fetch comes due
    /// sooner. With `--no-fetch` none ever comes due: its schedule, never set, would say now,
    /// and the loop would make pass after pass without a pause.
    private func untilNextStep(after pass: Pass) -> Duration {
        let schedule = fetchSchedule.withLock { $0 }
        guard options.fetch, !schedule.running else { return pass.wait }
        return min(pass.wait, schedule.due - ContinuousClock.now)
    }

    /// Starts a fetch beside the passes when one is due and none runs. When it ends, the next
    /// one is set (the interval, or the backoff after a failure) and the engine is woken, so
    /// that a pass looks at what it brought at once.
    @discardableResult
    private func fetchAsideIfDue(interval: Duration) -> Task<Void, Never>? {
        guard options.fetch, fetchSchedule.withLock({ schedule in
            guard !schedule.running, ContinuousClock.now >= schedule.due else { return false }
            schedule.running = true
            return true
        }) else { return nil }
        return Task.detached { [self] in
            let failuresSoFar = fetchFailures.withLock { $0 }
            let retryAt = Date().addingTimeInterval(Self.seconds(Self.backoff(after: failuresSoFar + 1, interval: interval)))
            var wait = interval
            if let error = await fetchSource(retryAt: retryAt) {
                wait = Self.backoff(after: fetchFailures.withLock { $0 }, interval: interval)
                showFailure(error, of: "fetching the source", retryingIn: wait)
            }
            fetchSchedule.withLock { $0 = FetchSchedule(running: false, due: ContinuousClock.now + wait) }
            engine.config.stateDir.wakeEngine()
        }
    }

    /// Reviews proposals that opened or moved, so that a failing one is journalled
    /// (PolicyViolation) without anyone having to look. It runs beside the reconcile, never in
    /// its way: nothing a proposal holds can keep the target from being healed. One review at a
    /// time; what bounds it is the YAML reader's limits and the timeouts of the git it runs.
    private func reviewProposalsAside() {
        review.withLock { running in
            guard running == nil else { return }
            running = Task.detached { [self] in
                await reviewProposals()
                review.withLock { $0 = nil }
            }
        }
    }

    /// Waits for the review running beside the passes.
    private func finishReview() async {
        await review.withLock { $0 }?.value
    }

    private func reviewProposals() async {
        do {
            guard try engine.noticeProposals(try await engine.mirror.proposalBranches()) else { return }
            _ = try await engine.reviewProposals(head: try await engine.currentHead())
        } catch {
            logger.warning("reviewing the proposals failed", metadata: ["error": "\(error)"])
        }
    }

    /// Passes until the task is cancelled (SIGTERM, SIGINT), each step finished before it stops.
    /// Between passes it waits for the interval, or less when the target's folders change; the
    /// source is fetched beside the passes when the interval has passed, not on every change of
    /// the target, and a pass never waits for a fetch.
    public func run(afterEachPass report: @Sendable (Pass) -> Void = { _ in }) async {
        let watch = try? TargetWatch()
        if watch == nil { logger.warning("cannot watch the target; changes are seen at each interval") }
        watch?.watchCookies(in: engine.config.stateDir.cookies)
        waiting.withLock { $0 = watch }
        defer {
            waiting.withLock { $0 = nil }
            alerts.stop()
            // Whoever still waits for a sync asked here hears that it will not run.
            for left in asked.withLock({ queue in defer { queue = nil }; return queue ?? [] }) {
                left.answer.resume(throwing: StateError("the engine stopped before this sync ran; nothing was synced"))
            }
            for left in views.withLock({ queue in defer { queue = nil }; return queue ?? [] }) { left.answer.resume(returning: nil) }
        }
        let clock = ContinuousClock()
        var interval = options.interval ?? .seconds(30)
        // With nothing fetched yet there is nothing to reconcile: the first fetch comes first.
        if (try? await engine.mirror.head()) == nil { await fetchAsideIfDue(interval: interval)?.value }
        // The cookies seen before the pass about to run: their views are answered with its view.
        var cookiesSeen: UInt64 = 0
        var view: Snapshot?
        while !Task.isCancelled {
            await engine.serveRequests(holding: lock)
            await serveAsked()
            fetchAsideIfDue(interval: interval)
            // A pass of its own, which cancelling this loop does not reach: the step in progress ends
            // whole, and only the wait before the next one is cut short.
            let pass = await Task { await self.pass(fetch: false) }.value
            interval = pass.snapshot.map { options.interval ?? $0.desired.settings.interval } ?? interval
            view = pass.view
            viewable.withLock { $0 = view != nil }
            answerViews(upTo: cookiesSeen, with: view)
            report(pass)
            let wait = max(.zero, untilNextStep(after: pass))
            logger.info("reconciled", metadata: ["in sync": "\(pass.inSync)", "next in": "\(Self.words(wait))"])
            guard let watch else {
                do { try await Task.sleep(for: wait) } catch { return }
                continue
            }
            // A folder watched for the first time may have changed before: look again at once.
            if watch.watch(pass.folders + [engine.config.stateDir.wake]) { continue }
            watch.watchSource(engine.mirror.refFolders)
            let deadline = clock.now + wait
            while true {
                let seen = await withTaskCancellationHandler {
                    await withCheckedContinuation { done in
                        DispatchQueue.global().async { done.resume(returning: watch.wait(timeout: max(.zero, deadline - clock.now))) }
                    }
                } onCancel: {
                    watch.wake()
                }
                cookiesSeen = max(cookiesSeen, seen.cookie)
                // A fetch (by this agent or another command) wrote the mirror's refs: the view
                // holds while the branch's head is the one it was made for.
                var sourceMoved = false
                if seen.sourceTouched, let shown = view { sourceMoved = (try? await engine.mirror.head(known: shown.head)) != shown.head }
                // Nothing changed before these cookies: the last pass's view still holds.
                if !seen.changed, !seen.woken, !sourceMoved, view != nil, !Task.isCancelled, clock.now < deadline {
                    answerViews(upTo: cookiesSeen, with: view)
                    continue
                }
                if seen.changed { logger.info("the target changed, or a sync was handed in") }
                break
            }
        }
    }

    /// The wait after `failures` failed passes in a row: 1 s, 2 s, 4 s ... and never longer than
    /// the interval or five minutes.
    static func backoff(after failures: Int, interval: Duration) -> Duration {
        min(Duration.seconds(1 << min(max(failures, 1) - 1, 8)), interval, .seconds(300))
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// A wait as a person reads it: `1.5s`.
    static func words(_ duration: Duration) -> String { String(format: "%.1fs", seconds(duration)) }

    /// The target root and every folder on the way to these paths.
    public static func folders(holding paths: [String], in root: String) -> [String] {
        var folders: Set<String> = [root]
        var previous: Substring?
        for path in paths {
            guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { continue }
            let parent = path[..<slash]
            if parent == previous { continue }
            previous = parent
            for ancestor in TargetPath.ancestors(of: path) { folders.insert(root + "/" + ancestor) }
        }
        return folders.sorted()
    }

    /// Why the head may not be applied for its signature, journalling `SignatureInvalid` once per
    /// such head; nil when no trust root is given or the head verifies.
    func unverifiedHead(_ snapshot: Snapshot) async throws -> String? {
        guard let problem = try await engine.signatureProblem(of: snapshot.head) else { return nil }
        if try engine.store.meta(.lastUnverifiedHead) != snapshot.head {
            try engine.store.append(Event(.signatureInvalid, .error, revision: snapshot.head, message: problem))
            try engine.store.setMeta(.lastUnverifiedHead, snapshot.head)
        }
        return problem
    }

    /// The applied revision to keep to when the head does not descend from it, journalling
    /// HistoryRewritten once per such head; nil when history is as it was.
    func rewrittenHistory(_ snapshot: Snapshot) async throws -> String? {
        guard let applied = snapshot.applied, applied != snapshot.head,
              !(try await engine.mirror.isAncestor(applied, of: snapshot.head)) else { return nil }
        if try engine.store.meta(.lastRewrittenHead) != snapshot.head {
            let branch = engine.config.source.branch
            try engine.store.append(Event(.historyRewritten, .error, revision: snapshot.head, message: """
                \(branch) moved to \(snapshot.head.prefix(12)), which does not descend from the applied revision \(applied.prefix(12)) \
                (history rewritten or force-pushed); keeping the target at \(applied.prefix(12)) until `plumb sync --accept-rewrite`
                """))
            try engine.store.setMeta(.lastRewrittenHead, snapshot.head)
        }
        return applied
    }

    /// The shortest interval of the probes of `snapshot`'s Services: between passes, the engine
    /// wakes that often to ask them again.
    static func probeInterval(_ snapshot: Snapshot) -> Duration? {
        snapshot.desired.resources.compactMap { resource -> Duration? in
            if case .service(let spec) = resource.shape { return spec.probe?.interval }
            return nil
        }.min()
    }

    /// HealthChanged when a resource's health changes: info when it gets better, a warning or
    /// (Degraded, Missing) an error when it gets worse, once per change. Healthy is not kept, so
    /// ten thousand healthy files cost nothing; a resource seen for the first time is compared
    /// with Healthy.
    @discardableResult
    func journalHealth(_ snapshot: Snapshot) throws -> Bool {
        let store = engine.store
        let before = try store.seen(.health)
        var now: [String: String] = [:]
        var why: [String: String] = [:]
        for status in snapshot.statuses where status.health != .healthy && status.drift != .extra {
            now[status.id.description] = status.health.rawValue
            why[status.id.description] = status.message
        }
        guard now != before else { return false }
        // A resource no longer listed (no longer declared, or gone) has no health to change.
        let listed = Set(snapshot.statuses.lazy.filter { before[$0.id.description] != nil }.map(\.id.description))
        var events: [Event] = []
        for id in Set(now.keys).union(before.keys).sorted() where now[id] != before[id] && (now[id] != nil || listed.contains(id)) {
            let was = before[id].flatMap(Health.init(rawValue:)) ?? .healthy
            let health = now[id].flatMap(Health.init(rawValue:)) ?? .healthy
            let level: Event.Level = health.rank <= was.rank ? .info : (health == .degraded || health == .missing ? .error : .warning)
            let message = "\(was.rawValue) → \(health.rawValue)" + (why[id].map { ": \($0)" } ?? "")
            events.append(Event(.healthChanged, level, resource: ResourceID(id), revision: snapshot.desired.revision, message: message))
        }
        try store.append(events)
        try store.saveSeen(.health, now)
        return true
    }

    /// DriftDetected when a resource drifts or its drift changes, DriftResolved when it is back:
    /// once per change, never once per pass. What was seen survives restarts in the state dir.
    /// Returns whether anything changed.
    @discardableResult
    func journalDrift(_ snapshot: Snapshot) throws -> Bool {
        let store = engine.store
        let before = try store.seen(.drift)
        var now: [String: String] = [:]
        // Pending is git's move (NewRevision says it), not the target's: an alert on drift must
        // not fire on every push.
        for status in snapshot.statuses where status.sync != .synced && status.drift?.isTargetDrift != false {
            now[status.id.description] = [status.drift?.rawValue ?? status.sync.rawValue, status.message].compactMap { $0 }.joined(separator: ": ")
        }
        guard now != before else { return false }
        var events: [Event] = []
        for (id, what) in now.sorted(by: { $0.key < $1.key }) where before[id] != what {
            events.append(Event(.driftDetected, .warning, resource: ResourceID(id), revision: snapshot.desired.revision, message: what))
        }
        for id in before.keys.sorted() where now[id] == nil {
            events.append(Event(.driftResolved, .info, resource: ResourceID(id), revision: snapshot.desired.revision, message: "back in sync"))
        }
        try store.append(events)
        try store.saveSeen(.drift, now)
        return true
    }
}
