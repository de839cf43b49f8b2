import ChildProcess
import DesiredState
import Foundation

/// Asks a Service's `health` probe once, within its timeout: an HTTP GET, a TCP connection, or
/// a command (through the one child-process runner). Sockets are plain POSIX ones with a
/// deadline on every wait, run off the cooperative pool so that a slow answer blocks no task.
enum HealthProbe {
    static func ask(_ probe: Probe) async -> ProbeResult {
        let (passed, detail): (Bool, String)
        switch probe.check {
        case .command(let argv):
            (passed, detail) = await command(argv, timeout: probe.timeout)
        case .tcp(let host, let port):
            (passed, detail) = await offPool {
                let (fd, why) = connect(host, port, deadline: deadline(probe.timeout))
                guard let fd else { return (false, why) }
                close(fd)
                return (true, "open")
            }
        case .http(let url, let expect):
            (passed, detail) = await offPool { http(url, expect: expect, deadline: deadline(probe.timeout)) }
        }
        return ProbeResult(passed: passed, detail: detail.escapingControlCharacters, at: Date())
    }

    private static func deadline(_ timeout: Duration) -> ContinuousClock.Instant { .now + timeout }

    private static func offPool(_ work: @escaping @Sendable () -> (Bool, String)) async -> (Bool, String) {
        await withCheckedContinuation { done in DispatchQueue.global().async { done.resume(returning: work()) } }
    }

    private static func command(_ argv: [String], timeout: Duration) async -> (Bool, String) {
        guard let program = ChildProcess.find(argv[0]) else { return (false, "\(argv[0]) was not found") }
        do {
            let out = try await ChildProcess.run(program, Array(argv.dropFirst()), timeout: timeout)
            return out.status == 0 ? (true, "exit 0") : (false, "exit \(out.status)" + (out.lastLine.map { ": \($0)" } ?? ""))
        } catch {
            return (false, "\(error)")
        }
    }

    /// Milliseconds left until `deadline`, at least 1.
    private static func left(_ deadline: ContinuousClock.Instant) -> Int32 {
        let (seconds, atto) = (deadline - .now).components
        return Int32(max(1, min(Int64(Int32.max), seconds * 1000 + atto / 1_000_000_000_000_000)))
    }

    /// A connected socket, or why not.
    private static func connect(_ host: String, _ port: UInt16, deadline: ContinuousClock.Instant) -> (Int32?, String) {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host, "\(port)", &hints, &found)
        guard lookup == 0, let first = found else { return (nil, "cannot resolve \(host): \(String(cString: gai_strerror(lookup)))") }
        defer { freeaddrinfo(found) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return (nil, "cannot make a socket: \(String(cString: strerror(errno)))") }
        if Glibc.connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let why = String(cString: strerror(errno))
            close(fd)
            return (nil, why.lowercased())
        }
        var waiting = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&waiting, 1, left(deadline)) == 1 else {
            close(fd)
            return (nil, "no answer from \(host):\(port) in time")
        }
        var code: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &size)
        guard code == 0 else {
            close(fd)
            return (nil, String(cString: strerror(code)).lowercased())
        }
        return (fd, "")
    }

    /// GET the URL over HTTP/1.0; passes when the status line says `expect`.
    private static func http(_ url: String, expect: Int, deadline: ContinuousClock.Instant) -> (Bool, String) {
        guard let parts = URLComponents(string: url), let host = parts.host, !host.isEmpty else { return (false, "bad URL \(url)") }
        let port = UInt16(parts.port ?? 80)
        let target = (parts.percentEncodedPath.isEmpty ? "/" : parts.percentEncodedPath) + (parts.percentEncodedQuery.map { "?" + $0 } ?? "")
        let (opened, why) = connect(host, port, deadline: deadline)
        guard let fd = opened else { return (false, why) }
        defer { close(fd) }
        let request = Array("GET \(target) HTTP/1.0\r\nHost: \(host)\r\nUser-Agent: plumb\r\nConnection: close\r\n\r\n".utf8)
        var sent = 0
        while sent < request.count {
            var ready = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&ready, 1, left(deadline)) == 1 else { return (false, "no answer in time") }
            let n = request[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { return (false, "the connection closed: \(String(cString: strerror(errno)).lowercased())") }
            sent += n
        }
        // The status line is all a probe needs: at most 1 KiB of it.
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while !answer.contains(UInt8(ascii: "\n")) && answer.count < 1024 {
            var ready = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&ready, 1, left(deadline)) == 1 else { return (false, "no answer in time") }
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard n > 0 else { break }
            answer += buffer[..<n]
        }
        let line = String(decoding: answer.prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let words = line.split(separator: " ")
        guard words.count >= 2, words[0].hasPrefix("HTTP/"), let status = Int(words[1]) else {
            return (false, line.isEmpty ? "no HTTP answer" : "not an HTTP answer: \(line.prefix(80))")
        }
        return status == expect ? (true, "\(status)") : (false, "\(status), expected \(expect)")
    }
}
