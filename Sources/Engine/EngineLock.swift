import Foundation

/// The state dir's lock: one engine applies at a time. The kernel releases it when the process
/// dies, so a crash never leaves it held.
public final class EngineLock: Sendable {
    private let fd: Int32

    /// Takes the lock without waiting, or explains who holds it and what for. The holder's pid
    /// and `purpose` are written into the lock file for that explanation.
    public init(path: String, purpose: String = "applying to this state dir") throws {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError("cannot open the lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            let parts = holder.split(separator: " ", maxSplits: 1).map(String.init)
            let who = parts.first.map { " (pid \($0))" } ?? ""
            throw StateError("another plumb\(who) is \(parts.count > 1 ? parts[1] : "applying to this state dir"); try again when it is done")
        }
        ftruncate(fd, 0)
        let line = "\(getpid()) \(purpose)\n"
        _ = line.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }
}
