import Foundation
import VersionSource

/// The layout of plumb's own store for one source and target.
public struct StateDirectory: Sendable {
    public let path: String

    public init(path: String) { self.path = LocalPath.absolute(path) }

    public var database: String { path + "/state.sqlite" }
    /// The database's write-ahead log: it changes whenever anyone journals, so watching it
    /// follows the journal without polling.
    public var journalLog: String { database + "-wal" }
    public var mirror: String { path + "/mirror.git" }
    public var backups: String { path + "/backups" }
    public var lock: String { path + "/lock" }
    /// Held while a process makes or opens the store and the mirror, so that the first commands
    /// on a new state dir, started together, do not trip over each other.
    public var setupLock: String { path + "/setup.lock" }
    /// Touched to wake the running engine when a sync request is handed to it; the engine watches it.
    public var wake: String { path + "/wake" }

    /// Where the running engine makes its cookies (`Reconciler.view`): a folder of its own, so
    /// that the watch tells them from the journal's writes.
    public var cookies: String { path + "/cookies" }
    /// Where the running agent answers `plumb status` (`AgentSocket`).
    public var agentSocket: String { path + "/agent.sock" }

    /// Makes the cookie folder, emptied of what an engine that died left in it.
    func prepareCookies() throws {
        if mkdir(cookies, 0o700) != 0 && errno != EEXIST {
            throw StateError("cannot make \(cookies): \(String(cString: strerror(errno)))")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: cookies)) ?? [] { unlink("\(cookies)/\(name)") }
    }

    /// Wakes the engine that watches `wake` (a close after writing is what it waits for).
    public func wakeEngine() {
        let fd = open(wake, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
    }

    /// `$XDG_STATE_HOME/plumb/<target name>-<hash of source and target>` (`~/.local/state` by default).
    public static func defaultPath(source: SourceRef, target: String) -> String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_STATE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (env["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        let key = [source.url, source.branch, source.path, target].joined(separator: "\0")
        let digest = BlobHasher.id(of: Array(key.utf8)).prefix(12)
        let name = URL(fileURLWithPath: target).lastPathComponent.filter { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return "\(base)/plumb/\(name.isEmpty ? "target" : name)-\(digest)"
    }

    /// Creates the folder if needed and checks it can hold plumb's state: writable, not inside the target.
    public func prepare(target: String) throws {
        let resolvedTarget = URL(fileURLWithPath: target).resolvingSymlinksInPath().path
        func isInside(_ candidate: String) -> Bool { candidate == resolvedTarget || candidate.hasPrefix(resolvedTarget + "/") }
        if isInside(URL(fileURLWithPath: path).resolvingSymlinksInPath().path) {
            throw StateError("the state dir \(path) lies inside the target \(target); choose another with --state")
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw StateError("cannot create the state dir \(path): \(error.systemReason)")
        }
        // Readable by its owner only, however it was made: it holds what plumb applied, secrets included.
        if chmod(path, 0o700) != 0 {
            throw StateError("cannot make the state dir \(path) private (mode 0700): \(String(cString: strerror(errno)))")
        }
        guard access(path, W_OK | X_OK) == 0 else {
            throw StateError("the state dir \(path) is not writable: \(String(cString: strerror(errno)))")
        }
    }
}

/// A problem with plumb's own store or with how it was asked to run.
public struct StateError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension Error {
    /// What the system said, such as "Permission denied": Foundation's wording of a failed file
    /// operation ("The operation could not be completed") hides it.
    public var systemReason: String {
        if let underlying = (self as NSError).userInfo[NSUnderlyingErrorKey] as? any Error {
            let posix = underlying as NSError
            if posix.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(posix.code))) }
        }
        return localizedDescription
    }
}
