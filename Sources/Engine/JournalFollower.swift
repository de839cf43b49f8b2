import Foundation
import Synchronization

/// Follows the journal as it is written, by this process or another: it waits on the state dir
/// with inotify (every journalled event changes the database's files there), so a new event is
/// read at once and an idle journal costs nothing.
public final class JournalFollower: Sendable {
    private let store: StateStore
    private let watch: TargetWatch
    private let resource: String?
    private let last: Mutex<Int64>
    /// Events this process wrote and delivered itself (`StateStore.onAppend`): passed over.
    private let ownEvents = Mutex<Set<Int64>>([])

    /// Follows events after `sequence`, of `resource` only when given.
    public init(store: StateStore, stateDir: StateDirectory, after sequence: Int64, resource: String? = nil) throws {
        self.store = store
        self.resource = resource
        last = Mutex(sequence)
        watch = try TargetWatch()
        watch.watch([stateDir.path])
    }

    /// The events journalled since the last call, oldest first; waits for some (or for `stop`, or
    /// `timeout`, the safety net should a change go unseen) when there are none yet.
    public func next(timeout: Duration = .seconds(30)) throws -> [Event] {
        let fresh = try store.events(after: last.withLock { $0 }, resource: resource)
        if !fresh.isEmpty { return delivered(fresh) }
        _ = watch.wait(timeout: timeout)
        return delivered(try store.events(after: last.withLock { $0 }, resource: resource))
    }

    /// Ends a `next` that is waiting.
    public func stop() { watch.wake() }

    /// Events delivered another way (this process wrote them): `next` leaves them out.
    public func deliveredElsewhere(_ events: [Event]) {
        ownEvents.withLock { $0.formUnion(events.map(\.sequence)) }
    }

    private func delivered(_ events: [Event]) -> [Event] {
        if let newest = events.last?.sequence { last.withLock { $0 = max($0, newest) } }
        return ownEvents.withLock { own in
            let others = events.filter { own.remove($0.sequence) == nil }
            // What is at or below the newest read can never come again.
            if let newest = events.last?.sequence { own = own.filter { $0 > newest } }
            return others
        }
    }
}
