import Foundation
import Synchronization

/// Watches the target's folders with inotify, so a hand edit starts a pass at once instead of at
/// the next interval. The interval stays the safety net: a watch that cannot be set, or a queue
/// that overflows, only means the next pass comes on time rather than early.
public final class TargetWatch: Sendable {
    /// Bursts (an editor writes a file in several steps) are let settle this long.
    static let settle: Duration = .milliseconds(50)
    static let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                             | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF)

    private let inotify: Int32
    /// Written to by `wake`, so that a wait ends when the agent is told to stop.
    private let wakeRead: Int32, wakeWrite: Int32
    /// The watch descriptors set so far.
    private let known = Mutex<Set<Int32>>([])

    public init() throws {
        inotify = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard inotify >= 0 else { throw StateError("cannot watch the target: \(String(cString: strerror(errno)))") }
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw StateError("cannot watch the target: \(String(cString: strerror(errno)))") }
        for end in ends {
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
        }
        (wakeRead, wakeWrite) = (ends[0], ends[1])
    }

    deinit {
        close(inotify)
        close(wakeRead)
        close(wakeWrite)
    }

    /// Watches these folders (absolute paths), and the state dir's wake file that requests touch.
    /// Called after every pass with every folder: adding a
    /// watch that exists is one cheap call, and a folder removed and made anew is watched again.
    /// Returns whether a folder was not watched before: whatever changed in it until now was not
    /// seen, so the caller looks again.
    @discardableResult
    public func watch(_ folders: [String]) -> Bool {
        let descriptors = folders.map { inotify_add_watch(inotify, $0, Self.mask) }.filter { $0 >= 0 }
        return known.withLock { known in
            let fresh = descriptors.contains { !known.contains($0) }
            known.formUnion(descriptors)
            return fresh
        }
    }

    /// Ends a `wait` at once.
    public func wake() { _ = write(wakeWrite, "x", 1) }

    /// Blocks until something changed under a watched folder (true), or `timeout` passed or
    /// `wake` was called (false). Events of one burst are taken together.
    public func wait(timeout: Duration) -> Bool {
        var changed = false
        var remaining = timeout
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&fds, 2, ms)
            if ready < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 {
                drain(wakeRead)
                return false
            }
            guard ready > 0, fds[0].revents != 0 else { return changed }
            drain(inotify)
            changed = true
            remaining = Self.settle
        }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
