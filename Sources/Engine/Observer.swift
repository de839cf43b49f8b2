import Foundation
import VersionSource

/// Where observers find what was known of each file at the last scan.
struct StatLookup: Sendable {
    let index: StatIndex
    /// Whether the index's records follow the desired state being observed, slot for slot.
    let positional: Bool
    /// Entries by path: the index's extras, and every entry when it follows another revision.
    let byPath: [String: StatCacheEntry]

    static let empty = StatLookup(index: .empty, positional: false, byPath: [:])
}

/// Looks at the target for one scan. A file whose stat matches the stat cache is not read again;
/// any other file is hashed and the cache updated. Each parent directory is opened once beneath
/// the target's root descriptor, not once per file in it, and names are looked up from it.
final class Observer {
    let fs: TargetFileSystem
    private let lookup: StatLookup
    /// New hashes, by slot for declared resources and by path for the others.
    private(set) var changedSlots: [Int: StatCacheEntry] = [:]
    private(set) var changedPaths: [String: StatCacheEntry] = [:]
    /// Entries found by path and still good, to carry into the next index.
    private(set) var keptSlots: [Int: StatCacheEntry] = [:]
    private(set) var keptPaths: [String: StatCacheEntry] = [:]
    /// The parent of the previous path, checked to be a real directory, and a descriptor of it
    /// (paths come sorted, so most paths share the previous one's parent).
    private var lastParent: Substring = ""
    private var parentFD: Int32 = -1
    /// Why the current parent cannot be looked into, or whether it is simply absent.
    private var parentProblem: String?
    private var parentAbsent = false
    private let now: Int64
    /// What lstat said of the last path observed (nil when it was absent or unobservable): its
    /// owner and group, for resources that declare them.
    private(set) var lastStat: TargetFileSystem.Stat?

    init(fs: TargetFileSystem, lookup: StatLookup) {
        self.fs = fs
        self.lookup = lookup
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    var hashed: Int { changedSlots.count + changedPaths.count }

    deinit {
        if parentFD >= 0 { close(parentFD) }
    }

    /// Switches `parentFD` to the directory holding `path`, opened beneath the target's root
    /// descriptor with no symlink on the way; returns why it cannot be looked into.
    private func enterParent(of path: String) -> String? {
        let parent = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path[..<$0] } ?? ""
        if parent == lastParent && (parentFD >= 0 || parentProblem != nil || parentAbsent) { return parentProblem }
        if parentFD >= 0 { close(parentFD) }
        parentFD = -1
        lastParent = parent
        parentAbsent = false
        parentProblem = nil
        do {
            if let fd = try fs.openDirectory(String(parent)) { parentFD = fd } else { parentAbsent = true }
        } catch {
            parentProblem = "\(error)"
        }
        return parentProblem
    }

    /// The index after a scan of `resources` by `observers`, or nil when nothing changed.
    static func updatedIndex(_ lookup: StatLookup, revision: String, count: Int, after observers: [Observer]) -> StatIndex.Parts? {
        let keptPaths = observers.reduce(into: [String: StatCacheEntry]()) { $0.merge($1.keptPaths) { a, _ in a } }
        let changed = observers.contains { $0.hashed > 0 }
        guard changed || !lookup.positional || keptPaths.count != lookup.index.others.count else { return nil }
        var slots = [StatCacheEntry?](repeating: nil, count: count)
        for slot in 0..<count where lookup.positional { slots[slot] = lookup.index.entry(at: slot) }
        var others = keptPaths
        for observer in observers {
            for (slot, entry) in observer.keptSlots { slots[slot] = entry }
            for (slot, entry) in observer.changedSlots { slots[slot] = entry }
            others.merge(observer.changedPaths) { _, new in new }
        }
        return StatIndex.Parts(revision: revision, slots: slots, others: others)
    }

    /// What is at `path`. A declared resource passes its `slot` in the desired state and the blob
    /// it should hold, so that an unchanged file is settled from the index without a string made.
    func observe(_ path: String, slot: Int? = nil, expecting expected: String? = nil) -> Observation {
        lastStat = nil
        if let blocked = enterParent(of: path) { return .unobservable(blocked) }
        guard parentFD >= 0 else { return .absent }
        // The last component only, relative to the parent's descriptor: one lookup in the kernel
        // (the target root itself, "", is the descriptor).
        let nameOffset = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { path.utf8.distance(from: path.utf8.startIndex, to: $0) + 1 } ?? 0
        var raw = stat()
        let result = path.isEmpty ? fstat(parentFD, &raw) : path.withCString { fstatat(parentFD, $0 + nameOffset, &raw, AT_SYMLINK_NOFOLLOW) }
        guard result == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return .absent }
            return .unobservable(TargetError(path, "cannot look at it", errno: code).description)
        }
        let info = TargetFileSystem.Stat(raw)
        lastStat = info
        switch info.type {
        case S_IFREG:
            if let slot, lookup.positional, let record = lookup.index.record(at: slot),
               StatCacheEntry.trusted(record.stat, recorded: record.recorded, for: info) {
                if let expected, lookup.index.blob(at: slot, equals: expected) {
                    return .file(blob: expected, mode: info.mode, size: info.size)
                }
                return .file(blob: lookup.index.blob(at: slot), mode: info.mode, size: info.size)
            }
            if let entry = lookup.byPath[path], entry.trusted(for: info) {
                if let slot { keptSlots[slot] = entry } else { keptPaths[path] = entry }
                return .file(blob: entry.blob, mode: info.mode, size: info.size)
            }
            let fd = path.withCString { openat(parentFD, $0 + nameOffset, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK) }
            guard fd >= 0 else { return .unobservable(TargetError(path, "cannot read it", errno: errno).description) }
            defer { close(fd) }
            do {
                let blob = try TargetFileSystem.blobID(ofOpenFile: fd, path: path)
                let entry = StatCacheEntry(stat: info, blob: blob, recorded: now)
                if let slot { changedSlots[slot] = entry } else { changedPaths[path] = entry }
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
