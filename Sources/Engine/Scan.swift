import Foundation
import DesiredState
import VersionSource

extension Engine {
    /// Desired against actual: every declared resource, then the extras (applied earlier and no
    /// longer declared, or present under a Directory's source without being in it), by path.
    ///
    /// Large targets are looked at in two halves on two threads; the inventory is read only when
    /// it may hold extras; folders under a Directory's source are listed only when they changed.
    public func observe(_ desired: DesiredState, statIndex: StatIndex? = nil) throws -> [ResourceStatus] {
        let clock = ContinuousClock()
        let start = clock.now
        let lookup = try statLookup(for: desired, index: statIndex ?? store.statIndex())
        let resources = desired.resources
        let parts = resources.count >= 2000 ? 2 : 1
        let observers = (0..<parts).map { _ in Observer(fs: target, lookup: lookup) }
        let declared = [ResourceStatus](unsafeUninitializedCapacity: resources.count) { buffer, count in
            // Each part uses its own observer and fills its own slice of the buffer: no sharing.
            nonisolated(unsafe) let base = buffer.baseAddress
            nonisolated(unsafe) let observers = observers
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let observer = observers[part]
                for index in (part * resources.count / parts)..<((part + 1) * resources.count / parts) {
                    let resource = resources[index]
                    var expected: String?
                    if case .file(let blob, _, _) = resource.shape { expected = blob }
                    (base! + index).initialize(to: .compare(resource, observer.observe(resource.path, slot: index, expecting: expected)))
                }
            }
            count = resources.count
        }
        let declaredSeen = clock.now

        let observer = observers[0]
        var extras: [ResourceStatus] = []
        if try store.meta(.inventoryMatches) != desired.revision {
            let declaredPaths = Set(resources.map(\.path))
            let declaredIDs = Set(resources.map(\.id.description))
            for entry in try store.inventory(where: { !declaredIDs.contains($0) }) where !declaredPaths.contains(entry.path) {
                let observed = observer.observe(entry.path)
                if observed == .absent { continue }
                // The nearest declared Directory holding it decides whether it is pruned.
                let owner = resources.filter { $0.kind == .directory && entry.path.hasPrefix($0.path + "/") }
                    .max { $0.path.utf8.count < $1.path.utf8.count }?.id
                extras.append(.extra(entry.id, path: entry.path, observed: observed, owner: owner, applied: entry))
            }
        }
        let inventorySeen = clock.now

        var folders = FolderScan(fs: target, cache: try store.folderCache(revision: desired.revision),
                                 declared: resources, known: Set(extras.map(\.path)))
        // Files of one Directory come together, so only a change of owner needs hashing.
        var owners = Set<ResourceID>(), lastOwner: ResourceID?
        for resource in resources {
            if let owner = resource.owner, owner != lastOwner { owners.insert(owner); lastOwner = owner }
        }
        for directory in resources where directory.kind == .directory && owners.contains(directory.id) {
            for stranger in folders.strangers(under: directory.path) {
                let path = stranger.path
                let id = ResourceID(kind: ResourceKind.file.rawValue, name: directory.id.name + path.dropFirst(directory.path.utf8.count))
                let observed = stranger.problem.map { Observation.unobservable($0) } ?? observer.observe(path)
                extras.append(.extra(id, path: path, observed: observed, owner: directory.id, applied: nil))
            }
        }
        let foldersSeen = clock.now

        if let updated = Observer.updatedIndex(lookup, revision: desired.revision, count: resources.count, after: observers) {
            try store.saveStatIndex(updated)
        }
        if folders.changed { try store.saveFolderCache(folders.clean, revision: desired.revision) }
        logger.debug("observed the target", metadata: [
            "declared": "\(declaredSeen - start)", "inventory": "\(inventorySeen - declaredSeen)",
            "folders": "\(foldersSeen - inventorySeen)", "saved": "\(clock.now - foldersSeen)",
            "hashed": "\(observers.map(\.hashed).reduce(0, +))", "index follows revision": "\(lookup.positional)",
        ])
        return Self.merge(declared, extras.sorted { $0.path < $1.path })
    }

    /// How to read the index for `desired`: slot by slot when it was made for the same revision;
    /// otherwise by path, through the desired state it was made for, so that a new revision
    /// does not mean hashing every file again.
    func statLookup(for desired: DesiredState, index: StatIndex) -> StatLookup {
        if index.revision == desired.revision && index.count == desired.resources.count {
            return StatLookup(index: index, positional: true, byPath: index.others)
        }
        let previous = store.cachedDesiredState(revision: index.revision, path: config.source.path)
        return StatLookup(index: index, positional: false, byPath: index.byPath(previous?.resources.map(\.path) ?? []))
    }

    /// Merges two lists sorted by path; the declared list is long and already sorted, the
    /// extras are few, so this beats sorting the whole.
    static func merge(_ a: [ResourceStatus], _ b: [ResourceStatus]) -> [ResourceStatus] {
        guard !b.isEmpty else { return a }
        var result: [ResourceStatus] = []
        result.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i].path <= b[j].path) { result.append(a[i]); i += 1 } else { result.append(b[j]); j += 1 }
        }
        return result
    }
}

/// What a folder under a Directory's source held when it was last listed with no undeclared
/// file in it: while its stat is unchanged, its subfolders are the same and it needs no listing.
public struct FolderEntry: Sendable, Hashable {
    public let stat: StatCacheEntry
    public let subfolders: [String]
}

/// Finds files under a Directory's source folder that it does not declare. A folder whose stat is
/// unchanged since it was last listed clean is not listed again (git's "untracked cache"): only its
/// subfolders are visited. The cache holds for one revision, since what is declared changes with it.
struct FolderScan {
    let fs: TargetFileSystem
    private let cache: [String: FolderEntry]
    private let resources: [DesiredResource]
    /// Built only if a folder has to be listed: an unchanged target never needs it.
    private lazy var declared = Set(resources.map(\.path))
    private let known: Set<String>
    /// Folders listed clean in this scan, or trusted from the cache.
    private(set) var clean: [String: FolderEntry] = [:]
    private(set) var changed = false
    private let now: Int64

    init(fs: TargetFileSystem, cache: [String: FolderEntry], declared resources: [DesiredResource], known: Set<String>) {
        self.fs = fs
        self.cache = cache
        self.resources = resources
        self.known = known
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        now = Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// A file found under a Directory's source that it does not declare. A name that is not
    /// valid UTF-8 or holds a control character is escaped in `path` and carries `problem`:
    /// plumb cannot name it exactly, so it only reports it.
    struct Stranger {
        let path: String
        let problem: String?
    }

    /// Undeclared files and symlinks below `folder`, plumb's own staging files left out.
    mutating func strangers(under folder: String) -> [Stranger] {
        var found: [Stranger] = []
        visit(folder, into: &found)
        return found
    }

    private mutating func visit(_ folder: String, into found: inout [Stranger]) {
        guard case .success(let info?) = fs.lstat(folder), info.type == S_IFDIR else { return }
        if let entry = cache[folder], entry.stat.trusted(for: info) {
            clean[folder] = entry
            for child in entry.subfolders { visit(folder + "/" + child, into: &found) }
            return
        }
        changed = true
        guard let fd = try? fs.openDirectory(folder), let dir = fdopendir(fd) else { return }
        var names: [(name: String, plain: Bool, isFolder: Bool)] = []
        while let entry = readdir(dir) {
            let bytes = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
            guard bytes != [46] && bytes != [46, 46] else { continue }
            let valid = String(validating: bytes, as: UTF8.self)
            let name = valid ?? TreeEntry.escapingInvalidBytes(bytes[...])
            let plain = valid != nil && !name.unicodeScalars.contains(where: \.drivesTerminal)
            // Some filesystems do not say the type in the listing: ask lstat then.
            let type = entry.pointee.d_type
            let isFolder = plain && (type == DT_UNKNOWN
                ? (try? fs.lstat(folder + "/" + name).get())??.type == S_IFDIR
                : type == DT_DIR)
            names.append((name, plain, isFolder))
        }
        closedir(dir)
        var isClean = true
        var subfolders: [String] = []
        for (name, plain, isFolder) in names {
            let path = folder + "/" + name
            if isFolder {
                subfolders.append(name)
                visit(path, into: &found)
            } else if !plain {
                isClean = false
                found.append(Stranger(path: folder + "/" + name.escapingControlCharacters,
                                      problem: "its name is not valid UTF-8 or holds a control character; plumb neither reads nor removes it"))
            } else if !declared.contains(path) {
                isClean = false
                if !known.contains(path) && !name.hasPrefix(TargetPath.reservedPrefix) { found.append(Stranger(path: path, problem: nil)) }
            }
        }
        if isClean { clean[folder] = FolderEntry(stat: StatCacheEntry(stat: info, blob: "", recorded: now), subfolders: subfolders) }
    }
}
