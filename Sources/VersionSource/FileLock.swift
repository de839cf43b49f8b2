import ChildProcess
import Foundation

/// An exclusive lock on a file (flock) for one piece of work between plumb processes: fetching
/// into the mirror, making a new state dir. The kernel releases it when the holder dies.
public enum FileLock {
    /// Runs `body` holding the lock on `path`, waiting up to `timeout` for another holder; throws
    /// when it waited that long, naming `what` waited.
    public static func holding<T>(_ path: String, timeout: Duration, for what: String, _ body: () async throws -> T) async throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw LockError("cannot open the lock \(path) for \(what): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let deadline = ContinuousClock.now + timeout
        // Contention is rare and short (another fetch): waiting in small steps keeps no thread blocked.
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw LockError("cannot lock \(path) for \(what): \(String(cString: strerror(errno)))") }
            guard ContinuousClock.now < deadline else { throw LockError("\(what) waited \(timeout.words) for another plumb on \(path) and gave up") }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await body()
    }
}

/// A lock that could not be taken, and why.
public struct LockError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
