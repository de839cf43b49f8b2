import Foundation

/// The state dir's lock: one engine applies at a time. The kernel releases it when the process
/// dies, so a crash never leaves it held.
public final class EngineLock: Sendable {
    /// Who holds the lock, as its lock file says.
    public struct Holder: Sendable, CustomStringConvertible {
        public let pid: Int32?
        public let purpose: String
        /// A running engine (the agent, the console) that carries out sync requests handed to it.
        public let takesRequests: Bool

        static let takesRequestsLine = "takes sync requests"

        init(file: String) {
            let lines = ((try? String(contentsOfFile: file, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            let parts = (lines.first ?? "").split(separator: " ", maxSplits: 1).map(String.init)
            pid = parts.first.flatMap { Int32($0) }
            purpose = parts.count > 1 ? parts[1] : "applying to this state dir"
            takesRequests = lines.dropFirst().contains(Self.takesRequestsLine)
        }

        public var description: String { "another plumb\(pid.map { " (pid \($0))" } ?? "") is \(purpose)" }
    }

    /// The lock is held by another process.
    public struct Busy: Error, CustomStringConvertible, Sendable {
        public let holder: Holder
        public var description: String { "\(holder); try again when it is done" }
    }

    private let fd: Int32

    /// Takes the lock; without `wait`, throws `Busy` naming the holder at once. The holder's pid,
    /// `purpose` and whether it `takesRequests` are written into the lock file for others to read.
    public init(path: String, purpose: String = "applying to this state dir", takesRequests: Bool = false, wait: Bool = false) throws {
        // The descriptor becomes this lock's only once it is held: a class whose init throws after
        // its properties are set is deinitialized, and a second close here would close whatever
        // another thread opened in between under the same number (a child's pidfd, seen).
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StateError("cannot open the lock \(path): \(String(cString: strerror(errno)))") }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 {
            if wait && errno == EINTR { continue }
            close(fd)
            throw Busy(holder: Holder(file: path))
        }
        self.fd = fd
        ftruncate(fd, 0)
        let text = "\(getpid()) \(purpose)\n" + (takesRequests ? Holder.takesRequestsLine + "\n" : "")
        _ = text.withCString { write(fd, $0, strlen($0)) }
    }

    deinit { close(fd) }
}
