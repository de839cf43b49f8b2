import Foundation
import VersionSource

/// Looks at the target for one scan. A file whose stat matches the stat cache is not read again;
/// any other file is hashed and the cache updated. Paths are looked up from a descriptor of the
/// target root, and each parent directory is checked once, not once per file in it.
final class Observer {
    let fs: TargetFileSystem
    private let cache: [String: StatCacheEntry]
    private(set) var changed: [String: StatCacheEntry] = [:]
    /// Regular files looked at, and how many of them the cache knew.
    private var files: [String] = []
    private var cacheHits = 0
    private var checkedParents: [String: String?] = [:]
    /// The parent of the previous path, checked to be a real directory, and a descriptor of it
    /// (paths come sorted, so most paths share the previous one's parent).
    private var lastParent: Substring = ""
    private var parentFD: Int32 = -1
    /// Why the current parent cannot be looked into, or whether it is simply absent.
    private var parentProblem: String?
    private var parentAbsent = false
    private let root: Int32
    private let now: Int64

    init(fs: TargetFileSystem, cache: [String: StatCacheEntry]) {
        self.fs = fs
        self.cache = cache
        root = open(fs.root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    deinit {
        if parentFD >= 0 { close(parentFD) }
        if root >= 0 { close(root) }
    }

    /// Switches `parentFD` to the directory holding `path`; returns why it cannot be looked at.
    private func enterParent(of path: String) -> String? {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else {
            if !lastParent.isEmpty || parentFD < 0 {
                if parentFD >= 0 { close(parentFD) }
                parentFD = dup(root)
                lastParent = ""
                parentProblem = nil
                parentAbsent = false
            }
            return nil
        }
        let parent = path[..<slash]
        if parent == lastParent && (parentFD >= 0 || parentProblem != nil || parentAbsent) { return parentProblem }
        if parentFD >= 0 { close(parentFD) }
        parentFD = -1
        lastParent = parent
        parentAbsent = false
        parentProblem = fs.blockingParent(of: path, checked: &checkedParents)
        guard parentProblem == nil else { return parentProblem }
        parentFD = openat(root, String(parent), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if parentFD < 0 {
            let code = errno
            if code == ENOENT { parentAbsent = true } else { parentProblem = TargetError(String(parent), "cannot open the directory", errno: code).description }
        }
        return parentProblem
    }

    /// The stat cache after a scan by `observers`: entries of files they looked at, new hashes
    /// included; nil when nothing changed and there is nothing to save.
    static func updatedCache(_ cache: [String: StatCacheEntry], after observers: [Observer]) -> [String: StatCacheEntry]? {
        let hits = observers.map(\.cacheHits).reduce(0, +)
        guard hits < cache.count || observers.contains(where: { !$0.changed.isEmpty }) else { return nil }
        let seen = Set(observers.flatMap(\.files))
        var updated = cache.filter { seen.contains($0.key) }
        for observer in observers { updated.merge(observer.changed) { _, new in new } }
        return updated
    }

    func observe(_ path: String) -> Observation {
        if let blocked = enterParent(of: path) { return .unobservable(blocked) }
        guard parentFD >= 0 else { return .absent }
        // The last component only, relative to the parent's descriptor: one lookup in the kernel.
        let nameOffset = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path.utf8.distance(from: path.utf8.startIndex, to: $0) + 1 } ?? 0
        var raw = stat()
        let result = path.withCString { fstatat(parentFD, $0 + nameOffset, &raw, AT_SYMLINK_NOFOLLOW) }
        guard result == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .absent }
            return .unobservable(TargetError(path, "cannot look at it", errno: code).description)
        }
        let info = TargetFileSystem.Stat(raw)
        switch info.type {
        case S_IFREG:
            files.append(path)
            if let entry = cache[path] {
                cacheHits += 1
                if entry.trusted(for: info) { return .file(blob: entry.blob, mode: info.mode, size: info.size) }
            }
            let fd = path.withCString { openat(parentFD, $0 + nameOffset, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) }
            guard fd >= 0 else { return .unobservable(TargetError(path, "cannot read it", errno: errno).description) }
            defer { close(fd) }
            do {
                let blob = try TargetFileSystem.blobID(ofOpenFile: fd, path: path)
                changed[path] = StatCacheEntry(stat: info, blob: blob, recorded: now)
                return .file(blob: blob, mode: info.mode, size: info.size)
            } catch {
                return .unobservable("\(error)")
            }
        case S_IFDIR: return .directory(mode: info.mode)
        case S_IFLNK:
            do { return .symlink(target: try fs.readLink(path)) } catch { return .unobservable("\(error)") }
        case S_IFIFO: return .other("a FIFO")
        case S_IFSOCK: return .other("a socket")
        default: return .other("a device")
        }
    }
}
