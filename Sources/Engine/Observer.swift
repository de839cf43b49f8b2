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
    /// The parent of the previous path, known to be a real directory (paths come sorted).
    private var lastGoodParent: Substring = ""
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

    deinit { if root >= 0 { close(root) } }

    /// The stat cache after this scan: entries of files it looked at, new hashes included; nil
    /// when nothing changed and there is nothing to save.
    var updatedCache: [String: StatCacheEntry]? {
        guard cacheHits < cache.count || !changed.isEmpty else { return nil }
        let seen = Set(files)
        return cache.filter { seen.contains($0.key) }.merging(changed) { _, new in new }
    }

    func observe(_ path: String) -> Observation {
        if let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) {
            let parent = path[..<slash]
            if parent != lastGoodParent {
                if let blocked = fs.blockingParent(of: path, checked: &checkedParents) { return .unobservable(blocked) }
                lastGoodParent = parent
            }
        }
        var raw = stat()
        guard fstatat(root, path, &raw, AT_SYMLINK_NOFOLLOW) == 0 else {
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
            let fd = openat(root, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
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
