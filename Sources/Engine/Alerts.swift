import ChildProcess
import DesiredState
import Foundation
import Synchronization

/// Delivers journalled events to `plumb.yaml`'s `alerts:`: to each route, every event it matches,
/// once, in journal order.
///
/// Each route keeps a cursor in the state database, moved past an event only once it is delivered
/// (or matches nothing there), so a restart neither loses nor repeats an alert. A delivery that
/// fails is tried again with backoff (1 s doubling to 5 min) and blocks that route's later events,
/// which would fail as well; after `attemptsBeforeAlerting` failures `AlertFailed` is journalled
/// once for it, which other routes may carry. Deliveries run beside the passes, never in their way.
public final class AlertDispatcher: Sendable {
    let engine: Engine
    private let routes = Mutex<[AlertRoute]>([])
    /// Per route (by key), the delivery running beside the passes and whether more was journalled
    /// since it started: one route whose webhook is down never holds up the others.
    private let running = Mutex<[String: (task: Task<Void, Never>, again: Bool)]>([:])

    static let attemptsBeforeAlerting = 3
    /// `curl`'s path, found once: webhooks are POSTed by the curl CLI (see docs/architecture.md).
    static let curl = ChildProcess.find("curl")

    init(engine: Engine) {
        self.engine = engine
    }

    /// Follows `plumb.yaml` as the pass read it; a route seen for the first time starts with the
    /// events after `start` (the journal as the pass began), not the whole history.
    func use(_ routes: [AlertRoute], startingAfter start: Int64) {
        for route in routes { _ = try? engine.store.alertCursor(route: route.key, startingAfter: start) }
        self.routes.withLock { $0 = routes }
        // A route no longer in plumb.yaml stops trying.
        let kept = Set(routes.map(\.key))
        running.withLock { tasks in for (key, running) in tasks where !kept.contains(key) { running.task.cancel() } }
    }

    /// Delivers what is pending, each route in a task of its own; a route's task already running
    /// picks up what came since when it is done.
    func deliverAside() {
        for route in routes.withLock({ $0 }) {
            running.withLock { tasks in
                if tasks[route.key] != nil { return tasks[route.key]!.again = true }
                let task = Task.detached { [self] in
                    repeat {
                        running.withLock { $0[route.key]?.again = false }
                        await deliver(route, attempts: nil)
                    } while running.withLock({ tasks in
                        if tasks[route.key]?.again == true && !Task.isCancelled { return true }
                        tasks[route.key] = nil
                        return false
                    })
                }
                tasks[route.key] = (task, false)
            }
        }
    }

    /// Delivers what is pending, trying each event at most `attemptsBeforeAlerting` times:
    /// `agent --once` before it exits. The deliveries running beside (which try without end) are
    /// stopped first, so that the two never send one event twice.
    func flush() async {
        for task in stop() { await task.value }
        // An AlertFailed journalled by one route is for the others: a round more while rounds add
        // to the journal (a route that still fails is tried once in it, and journals nothing new).
        var attempts = Self.attemptsBeforeAlerting
        for _ in 0..<3 {
            let before = try? engine.store.lastSequence()
            await deliverPending(attempts: attempts)
            if (try? engine.store.lastSequence()) == before { return }
            attempts = 1
        }
    }

    /// Stops the deliveries running (SIGTERM), each after the delivery under way: an event not
    /// delivered yet is delivered next time. Returns them, to wait for.
    @discardableResult
    func stop() -> [Task<Void, Never>] {
        let tasks = running.withLock { $0.values.map(\.task) }
        for task in tasks { task.cancel() }
        return tasks
    }

    /// Each route's pending events, the routes side by side; `attempts` bounds the tries per event
    /// (nil: until it is delivered or the task is cancelled).
    private func deliverPending(attempts: Int?) async {
        let routes = routes.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for route in routes { group.addTask { await self.deliver(route, attempts: attempts) } }
        }
    }

    private func deliver(_ route: AlertRoute, attempts: Int?) async {
        let store = engine.store
        do {
            var (delivered, failureJournalled) = try store.alertCursor(route: route.key, startingAfter: store.lastSequence())
            while !Task.isCancelled {
                let batch = try store.events(after: delivered, first: 100)
                if batch.isEmpty { return }
                for event in batch {
                    if Task.isCancelled { return }
                    if try wanted(event, by: route) {
                        var attempt = 0
                        while true {
                            // A task of its own, which stopping this one does not reach: a delivery
                            // under way ends whole and is recorded, or `flush` would send it again.
                            guard let problem = await Task(operation: { await self.send(event, to: route) }).value else { break }
                            attempt += 1
                            if attempt == Self.attemptsBeforeAlerting && failureJournalled != event.sequence {
                                let failed = Event(.alertFailed, .error, message: """
                                    \(route.place) did not take event \(event.sequence) (\(event.reason.rawValue)) after \(attempt) attempts: \
                                    \(problem); it is tried again, and the alerts after it wait
                                    """.escapingControlCharacters)
                                try store.journalAlertFailure(failed, route: route.key, about: event.sequence)
                                failureJournalled = event.sequence
                            }
                            if let attempts, attempt >= attempts { return }
                            do { try await Task.sleep(for: Self.backoff(after: attempt)) } catch { return }
                        }
                    }
                    delivered = event.sequence
                    try store.setAlertCursor(route: route.key, delivered: delivered)
                }
            }
        } catch {
            engine.logger.warning("alerts: \(route.place) could not read or move its place in the journal", metadata: ["error": "\(error)"])
        }
    }

    /// Whether the route delivers `event`: it matches, and it is not that route's own failure.
    private func wanted(_ event: Event, by route: AlertRoute) throws -> Bool {
        guard route.matches(level: event.level, reason: event.reason) else { return false }
        return try event.reason != .alertFailed || engine.store.alertFailureRoute(of: event.sequence) != route.key
    }

    /// 1 s, 2 s, 4 s ... at most five minutes.
    static func backoff(after attempt: Int) -> Duration {
        min(.seconds(1 << min(max(attempt, 1) - 1, 9)), .seconds(300))
    }

    /// Delivers one event; nil when it was taken, else why not.
    private func send(_ event: Event, to route: AlertRoute) async -> String? {
        let body = Array((JSONOutput.encode(EventJSON(event), pretty: false) + "\n").utf8)
        let program: String?, arguments: [String]
        switch route.destination {
        case .command(let argv):
            (program, arguments) = (ChildProcess.find(argv[0]), Array(argv.dropFirst()))
            if program == nil { return "\(argv[0]) was not found" }
        case .webhook(let url):
            // -q: no ~/.curlrc; no redirects followed; only http and https; the body from stdin.
            let seconds = max(1, Int(route.timeout.components.seconds))
            (program, arguments) = (Self.curl, ["-q", "--silent", "--show-error", "--fail", "--proto", "=http,https", "--max-time", "\(seconds)",
                                                "--request", "POST", "--header", "Content-Type: application/json", "--data-binary", "@-", "--url", url])
            if program == nil { return "curl was not found (apt-get install curl): webhooks are posted with it" }
        }
        do {
            let out = try await ChildProcess.run(program!, arguments, input: body, timeout: route.timeout + .seconds(1))
            return out.status == 0 ? nil : "exit \(out.status)" + (out.lastLine.map { ": \($0)" } ?? "")
        } catch {
            return "\(error)"
        }
    }
}
