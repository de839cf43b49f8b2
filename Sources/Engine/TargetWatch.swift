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
    /// The folder the agent's cookies are made in, and the mirror's folders that say the source
    /// moved: their events are told apart from the target's.
    private let cookieWatch = Mutex<Int32>(-1)
    private let sourceWatches = Mutex<Set<Int32>>([])

    /// What a wait saw.
    public struct Seen: Sendable {
        /// Something changed under a watched target folder (or the state dir's wake file was
        /// touched, or the queue overflowed): a pass is due.
        public var changed = false
        /// The mirror's refs were written (a fetch): the source's head may have moved.
        public var sourceTouched = false
        /// The highest-numbered cookie whose file appeared: every event queued before it was seen.
        public var cookie: UInt64 = 0
        /// `wake` was called.
        public var woken = false
    }

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

    /// Watches the folder cookies are made in (`makeCookie(_:in:)`), so that a wait reports which it saw.
    public func watchCookies(in folder: String) {
        let wd = inotify_add_watch(inotify, folder, UInt32(IN_CREATE | IN_MOVED_TO))
        if wd >= 0 { cookieWatch.withLock { $0 = wd } }
    }

    /// Watches the mirror's folders whose files say where its branches point.
    public func watchSource(_ folders: [String]) {
        let descriptors = folders.map { inotify_add_watch(inotify, $0, UInt32(IN_CREATE | IN_MOVED_TO | IN_MODIFY | IN_DELETE | IN_CLOSE_WRITE)) }
        sourceWatches.withLock { $0.formUnion(descriptors.filter { $0 >= 0 }) }
    }

    /// Makes cookie number `number` in `folder`. inotify queues events in the order they happen,
    /// so once a wait reports this cookie, every change made before this call has been reported
    /// too (the way watchman and git's fsmonitor make a query exact).
    public static func makeCookie(_ number: UInt64, in folder: String) -> Bool {
        let fd = open("\(folder)/\(number)", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return false }
        close(fd)
        return true
    }

    /// Ends a `wait` at once.
    public func wake() { _ = write(wakeWrite, "x", 1) }

    /// Blocks until something changed under a watched folder, a cookie appeared, `timeout`
    /// passed or `wake` was called, and says what it saw. Events of one burst are taken together;
    /// a cookie alone ends the wait at once.
    public func wait(timeout: Duration) -> Seen {
        var seen = Seen()
        var remaining = timeout
        while true {
            var fds = [pollfd(fd: inotify, events: Int16(POLLIN), revents: 0), pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
            let ms = Int32(clamping: remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000)
            let ready = poll(&fds, 2, ms)
            if ready < 0 && errno == EINTR { continue }
            if fds[1].revents != 0 {
                drain(wakeRead)
                seen.woken = true
                return seen
            }
            guard ready > 0, fds[0].revents != 0 else { return seen }
            readEvents(into: &seen)
            if seen.cookie > 0 && !seen.changed { return seen }
            remaining = Self.settle
        }
    }

    /// Reads the queued events, sorting them into target changes, source moves and cookies.
    private func readEvents(into seen: inout Seen) {
        let cookies = cookieWatch.withLock { $0 }
        let source = sourceWatches.withLock { $0 }
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(inotify, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            buffer.withUnsafeBytes { raw in
                var offset = 0
                let header = MemoryLayout<inotify_event>.size
                while offset + header <= count {
                    let event = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    let nameLength = Int(event.len)
                    if event.wd == cookies && event.wd >= 0 {
                        let name = raw[(offset + header)..<min(count, offset + header + nameLength)].prefix { $0 != 0 }
                        if let number = UInt64(String(decoding: name, as: UTF8.self)) { seen.cookie = max(seen.cookie, number) }
                    } else if source.contains(event.wd) {
                        seen.sourceTouched = true
                    } else {
                        seen.changed = true
                    }
                    offset += header + nameLength
                }
            }
        }
    }

    private func drain(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while buffer.withUnsafeMutableBytes({ read(fd, $0.baseAddress, $0.count) }) > 0 {}
    }
}
