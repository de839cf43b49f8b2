import Foundation
import VersionSource

/// Looks at the target for one scan. A file whose stat matches the stat cache is not read again;
/// any other file is hashed and the cache updated.
struct Observer {
    let fs: TargetFileSystem
    private let cache: [String: StatCacheEntry]
    private(set) var changed: [String: StatCacheEntry] = [:]
    private var seen: Set<String> = []
    private var checkedParents: [String: String?] = [:]
    private let now: Int64

    init(fs: TargetFileSystem, cache: [String: StatCacheEntry]) {
        self.fs = fs
        self.cache = cache
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// The stat cache after this scan: entries of files it looked at, new hashes included; nil
    /// when nothing changed and there is nothing to save.
    var updatedCache: [String: StatCacheEntry]? {
        let stale = cache.keys.contains { !seen.contains($0) }
        guard stale || !changed.isEmpty else { return nil }
        return cache.filter { seen.contains($0.key) }.merging(changed) { _, new in new }
    }

    mutating func observe(_ path: String) -> Observation {
        if let blocked = fs.blockingParent(of: path, checked: &checkedParents) { return .unobservable(blocked) }
        let info: TargetFileSystem.Stat
        switch fs.lstat(path) {
        case .success(nil): return .absent
        case .success(let found?): info = found
        case .failure(let error): return .unobservable(error.description)
        }
        switch info.type {
        case S_IFREG:
            seen.insert(path)
            if let entry = cache[path], entry.trusted(for: info) {
                return .file(blob: entry.blob, mode: info.mode, size: info.size)
            }
            do {
                let blob = try fs.hashFile(path)
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
