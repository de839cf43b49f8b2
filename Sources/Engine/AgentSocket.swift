import CSystemCalls
import Foundation
import Synchronization

/// The running agent's local socket, in the state dir: a command asks, the agent answers from
/// what it already holds. One request and one answer per connection, each a length and bytes.
/// Only the agent's own user (or root) may connect: the socket is 0600 in a 0700 folder, and the
/// peer's credentials are checked as well. What a request holds is never trusted: it is bounded
/// in size and time, and an answer that cannot be given is a refusal, never a crash.
public final class AgentSocket: Sendable {
    /// A request is small (a few flags): anything longer is not one.
    static let requestLimit = 64 * 1024
    public let path: String
    private let listening: Int32
    private let stopped = Atomic<Bool>(false)

    /// Listens at `path`, replacing a socket an agent that died left there: the caller holds the
    /// state dir's lock, so no live agent listens there.
    public init(path: String) throws {
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else {
            throw StateError("cannot listen at \(path): the path is too long for a socket")
        }
        unlink(path)
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw StateError("cannot listen at \(path): \(String(cString: strerror(errno)))") }
        // Private from the moment it exists: bind makes it with the umask's mode.
        let mask = umask(0o177)
        let bound = Self.withAddress(path) { bind(fd, $0, $1) }
        umask(mask)
        guard bound == 0, listen(fd, 16) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StateError("cannot listen at \(path): \(reason)")
        }
        self.path = path
        listening = fd
    }

    deinit { stop() }

    /// Answers each connection with `answer(request)` until `stop`, on a thread of its own; each
    /// connection in a task of its own, so that a slow asker does not hold up the next.
    public func serve(_ answer: @escaping @Sendable ([UInt8]) async -> [UInt8]) {
        let fd = listening
        Thread.detachNewThread { [self] in
            while !stopped.load(ordering: .relaxed) {
                let connection = plumb_accept_cloexec(fd)
                if connection < 0 {
                    if errno == EINTR || errno == ECONNABORTED { continue }
                    return
                }
                Task.detached {
                    defer { close(connection) }
                    guard Self.peerMayAsk(connection) else { return }
                    Self.setTimeouts(connection, seconds: 5)
                    guard let request = Self.receive(connection, limit: Self.requestLimit) else { return }
                    Self.send(await answer(request), to: connection)
                }
            }
        }
    }

    /// Stops listening and removes the socket.
    public func stop() {
        guard !stopped.exchange(true, ordering: .relaxed) else { return }
        unlink(path)
        // shutdown ends an accept in progress; close alone would not.
        shutdown(listening, Int32(SHUT_RDWR))
        close(listening)
    }

    /// Sends `request` to the agent listening at `path` and returns its answer; nil when none
    /// listens there or it does not answer within `timeout` seconds. The request is made only
    /// once an agent has taken the connection: without one, a command does not encode it.
    public static func ask(_ path: String, timeout: Int, _ request: () -> [UInt8]) -> [UInt8]? {
        guard path.utf8.count < MemoryLayout.size(ofValue: sockaddr_un().sun_path) else { return nil }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        setTimeouts(fd, seconds: timeout)
        guard withAddress(path, { connect(fd, $0, $1) }) == 0 else { return nil }
        send(request(), to: fd)
        return receive(fd, limit: Int.max)
    }

    private static func withAddress(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> Int32) -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
    }

    /// Whether the process at the other end runs as this process's user, or as root.
    private static func peerMayAsk(_ fd: Int32) -> Bool {
        let uid = plumb_peer_uid(fd)
        return uid == Int64(geteuid()) || uid == 0
    }

    private static func setTimeouts(_ fd: Int32, seconds: Int) {
        var limit = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
    }

    /// A message: its length (8 bytes, little-endian), then its bytes.
    private static func send(_ message: [UInt8], to fd: Int32) {
        var framed = BinaryWriter()
        framed.int(message.count)
        framed.append(message)
        var sent = 0
        framed.bytes.withUnsafeBytes { raw in
            while sent < raw.count {
                let count = Glibc.send(fd, raw.baseAddress! + sent, raw.count - sent, Int32(MSG_NOSIGNAL))
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                sent += count
            }
        }
    }

    private static func receive(_ fd: Int32, limit: Int) -> [UInt8]? {
        func read(_ count: Int) -> [UInt8]? {
            var bytes = [UInt8](repeating: 0, count: count)
            var got = 0
            while got < count {
                let n = bytes.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return nil }
                got += n
            }
            return bytes
        }
        guard let header = read(8) else { return nil }
        let length = header.withUnsafeBytes { Int(Int64(littleEndian: $0.loadUnaligned(as: Int64.self))) }
        guard length >= 0, length <= limit else { return nil }
        return read(length)
    }
}
