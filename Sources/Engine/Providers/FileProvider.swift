import ChildProcess
import Foundation
import DesiredState
import VersionSource

/// Files, directories and symlinks under the target root: every access goes through the
/// engine's `TargetFileSystem`, beneath its held root descriptor.
struct FileProvider: Provider {
    // MARK: Observe

    /// Every declared file resource, then the extras (applied earlier and no longer declared, or
    /// present under a Directory's source without being in it), by path.
    ///
    /// Large targets are looked at in two halves on two threads; the inventory is read only when
    /// it may hold extras; folders under a Directory's source are listed only when they changed.
    func observe(_ scan: Scan) throws -> [ResourceStatus] {
        let engine = scan.engine, store = engine.store, desired = scan.desired
        let clock = ContinuousClock()
        let start = clock.now
        let lookup = statLookup(for: desired, index: try scan.statIndex ?? store.statIndex(), engine: engine)
        let resources = desired.resources
        // Slots in the stat index are positions in `resources`; Services and Commands have none.
        let positions: [Int]? = resources.contains { !$0.kind.isInTarget } ? resources.indices.filter { resources[$0].kind.isInTarget } : nil
        let count = positions?.count ?? resources.count
        let parts = count >= 2000 ? 2 : 1
        let observers = (0..<parts).map { _ in Observer(fs: engine.target, lookup: lookup) }
        // Names resolved once per scan, before the threads start: most revisions name none.
        let accounts = Accounts.resolveAll(resources)
        let declared = [ResourceStatus](unsafeUninitializedCapacity: count) { buffer, initialized in
            // Each part uses its own observer and fills its own slice of the buffer: no sharing.
            nonisolated(unsafe) let base = buffer.baseAddress
            nonisolated(unsafe) let observers = observers
            DispatchQueue.concurrentPerform(iterations: parts) { part in
                let observer = observers[part]
                for position in (part * count / parts)..<((part + 1) * count / parts) {
                    let index = positions?[position] ?? position
                    let resource = resources[index]
                    var expected: String?
                    if case .file(let blob, _, _) = resource.shape { expected = blob }
                    // A secret that cannot be decrypted cannot be compared: Unknown, and why.
                    let observed = if case .undecryptable(_, _, let why) = resource.encryption { Observation.unobservable(why) }
                        else { observer.observe(resource.path, slot: index, expecting: expected) }
                    var status = ResourceStatus.compare(resource, observed)
                    if !accounts.isEmpty, let wanted = accounts[resource.ownership] { status = Accounts.compare(status, observer.lastStat, wanted) }
                    (base! + position).initialize(to: status)
                }
            }
            initialized = count
        }
        let declaredSeen = clock.now
        // Read once, and only when something needs it: extras, or a revision not applied yet.
        var inventoryRead: [ResourceID: InventoryEntry]?
        func inventory() throws -> [ResourceID: InventoryEntry] {
            if let inventoryRead { return inventoryRead }
            inventoryRead = try store.inventory()
            return inventoryRead!
        }
        let declaredNow = try Self.markPending(declared, desired: desired, applied: try store.meta(.appliedRevision), inventory: inventory)

        let observer = observers[0]
        var extras: [ResourceStatus] = []
        if try store.meta(.inventoryMatches) != desired.key {
            let declaredPaths = Set(resources.lazy.filter(\.kind.isInTarget).map(\.path))
            let declaredIDs = Set(resources.map(\.id.description))
            // A folder plumb applied that declared resources still lie in is theirs now, not an extra.
            var needed: Set<String>?
            for entry in try inventory().values
            where !declaredIDs.contains(entry.id.description) && entry.isInTarget && !declaredPaths.contains(entry.path) {
                if entry.kind == .directory {
                    if needed == nil { needed = Self.folders(holding: resources) }
                    if needed!.contains(entry.path) { continue }
                }
                // The nearest declared Directory holding it decides whether it is pruned, or ignored.
                let owner = resources.filter { $0.kind == .directory && TargetPath.isInside(entry.path, $0.path) }
                    .max { $0.path.utf8.count < $1.path.utf8.count }
                if let owner, case .directory(let spec) = owner.shape, spec.ignore.ignores(TargetPath.relative(entry.path, to: owner.path)) { continue }
                let observed = observer.observe(entry.path)
                if observed == .absent { continue }
                extras.append(.extra(entry.id, path: entry.path, observed: observed, owner: owner?.id, applied: entry))
            }
        }
        let inventorySeen = clock.now

        var folders = FolderScan(fs: engine.target, cache: try store.folderCache(revision: desired.key),
                                 declared: resources, known: Set(extras.map(\.path)))
        // Directories with a source, and those that purge, are listed for files they do not
        // declare. Files of one Directory come together, so only a change of owner needs hashing.
        var owners = Set<ResourceID>(), lastOwner: ResourceID?
        for resource in resources {
            if let owner = resource.owner, owner != lastOwner { owners.insert(owner); lastOwner = owner }
        }
        let scanned = resources.filter { resource in
            guard case .directory(let spec) = resource.shape else { return false }
            return spec.purge || owners.contains(resource.id)
        }
        let scannedPaths = Set(scanned.map(\.path))
        for directory in scanned {
            guard case .directory(let spec) = directory.shape else { continue }
            for stranger in folders.strangers(under: directory.path, ignore: spec.ignore, otherDirectories: scannedPaths.subtracting([directory.path])) {
                let path = stranger.path
                let id = ResourceID(kind: ResourceKind.file.rawValue, name: directory.id.name + "/" + TargetPath.relative(path, to: directory.path))
                let observed = stranger.problem.map { Observation.unobservable($0) } ?? observer.observe(path)
                extras.append(.extra(id, path: path, observed: observed, owner: directory.id, applied: nil))
            }
        }
        let foldersSeen = clock.now

        if let updated = Observer.updatedIndex(lookup, revision: desired.key, count: resources.count, after: observers) {
            try store.saveStatIndex(updated)
        }
        if folders.changed { try store.saveFolderCache(folders.clean, revision: desired.key) }
        engine.logger.debug("observed the target", metadata: [
            "declared": "\(declaredSeen - start)", "inventory": "\(inventorySeen - declaredSeen)",
            "folders": "\(foldersSeen - inventorySeen)", "saved": "\(clock.now - foldersSeen)",
            "hashed": "\(observers.map(\.hashed).reduce(0, +))", "index follows revision": "\(lookup.positional)",
        ])
        return Self.merge(declaredNow, extras.sorted { $0.path < $1.path })
    }

    /// Tells git's moves from the target's: when `desired` is newer than the applied revision, a
    /// resource that differs while the target still holds what plumb last applied there (or,
    /// never applied, holds nothing) is `pending`, not drift. The inventory is read only then.
    static func markPending(_ statuses: [ResourceStatus], desired: DesiredState, applied: String?,
                            inventory read: () throws -> [ResourceID: InventoryEntry]) throws -> [ResourceStatus] {
        guard let applied, applied != desired.revision,
              statuses.contains(where: { $0.drift == .missing || $0.drift == .modified }) else { return statuses }
        let inventory = try read()
        let newer = "declared by \(desired.revision.prefix(12)), not applied yet (applied: \(applied.prefix(12)))"
        return statuses.map { status in
            guard status.drift == .missing || status.drift == .modified else { return status }
            let entry = inventory[status.id]
            switch status.observed {
            case .absent where entry == nil:
                return status.pending(newer)
            default:
                let changedInGit = "changed in git since \(applied.prefix(12)), not applied yet: \(status.message ?? "")"
                return entry.map { Self.holdsWhatPlumbApplied(status.observed, $0) } == true ? status.pending(changedInGit) : status
            }
        }
    }

    /// Every folder above a declared path of the target.
    static func folders(holding resources: [DesiredResource]) -> Set<String> {
        var folders = Set<String>()
        for resource in resources where resource.kind.isInTarget {
            for ancestor in TargetPath.ancestors(of: resource.path) { folders.insert(ancestor) }
        }
        return folders
    }

    /// Whether the target holds exactly what plumb last wrote for this inventory entry.
    static func holdsWhatPlumbApplied(_ observed: Observation, _ entry: InventoryEntry) -> Bool {
        switch observed {
        case .file(let blob, let mode, _): return entry.kind == .file && entry.blob == blob && entry.mode == mode
        case .directory(let mode): return entry.kind == .directory && entry.mode == mode
        case .symlink(let link): return entry.kind == .symlink && entry.blob == BlobHasher.id(of: Array(link.utf8))
        default: return false
        }
    }

    /// How to read the index for `desired`: slot by slot when it was made for the same revision;
    /// otherwise by path, through the desired state it was made for, so that a new revision
    /// does not mean hashing every file again.
    func statLookup(for desired: DesiredState, index: StatIndex, engine: Engine) -> StatLookup {
        if index.revision == desired.key && index.count == desired.resources.count {
            return StatLookup(index: index, positional: true, byPath: index.others)
        }
        let (revision, host) = DesiredState.parts(ofKey: index.revision)
        let previous = engine.store.cachedDesiredState(revision: revision, path: engine.config.source.path, host: host)
        return StatLookup(index: index, positional: false, byPath: index.byPath(previous?.resources.filter(\.kind.isInTarget).map(\.path) ?? []))
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

    // MARK: Compare

    func verdict(_ desired: DesiredResource, _ observed: Observation) -> Verdict {
        switch (desired.shape, observed) {
        case (_, .unobservable(let why)): return Verdict(.unknown, nil, .unknown, why)
        case (_, .absent): return Verdict(.outOfSync, .missing, .missing, "declared, absent from the target")
        case (.file(let blob, _, let mode), .file(let actualBlob, let actualMode, _)):
            switch (blob == actualBlob, mode == actualMode) {
            case (true, true): return .synced
            case (false, true): return Verdict(.outOfSync, .modified, .healthy, "content differs")
            case (true, false): return Verdict(.outOfSync, .modified, .healthy, "mode differs: \(octal(actualMode)), declared \(octal(mode))")
            case (false, false): return Verdict(.outOfSync, .modified, .healthy, "content differs; mode differs: \(octal(actualMode)), declared \(octal(mode))")
            }
        case (.directory(let spec), .directory(let actualMode)):
            guard let mode = spec.mode, mode != actualMode else { return .synced }
            return Verdict(.outOfSync, .modified, .healthy, "mode differs: \(octal(actualMode)), declared \(octal(mode))")
        case (.symlink(let target), .symlink(let actual)):
            return target == actual ? .synced
                : Verdict(.outOfSync, .modified, .healthy, "link target differs: \(actual.escapingControlCharacters), declared \(target.escapingControlCharacters)")
        default:
            return Verdict(.outOfSync, .modified, .degraded, "type differs: \(observed.noun) where \(desired.kind.article) is declared")
        }
    }

    func action(_ resource: DesiredResource, over observed: Observation, missing: Bool) -> SyncPlan.Action {
        missing ? .create : .update
    }

    // MARK: Apply

    func apply(_ resource: DesiredResource, over observed: Observation, with applier: inout Applier) async throws -> Applied {
        var notes = try await write(resource, over: observed, with: &applier)
        if resource.ownership.isManaged {
            let wanted = Accounts.resolve(resource.ownership)
            if let problem = wanted.problem { throw TargetError(resource.path, problem) }
            if try applier.fs.setOwner(resource.path, user: wanted.uid, group: wanted.gid) == .hardLinked {
                throw TargetError(resource.path, "has another name elsewhere (a hard link); plumb does not change its owner in place")
            }
            notes.append("owner \(resource.ownership.user?.description ?? "as it was"), group \(resource.ownership.group?.description ?? "as it was")")
        }
        try applier.recordInventory(resource)
        let created = observed == .absent
        let message = ([(created ? "created " : "updated ") + resource.path] + notes).joined(separator: "; ")
        return Applied(reason: created ? .resourceCreated : .resourceUpdated, message: message)
    }

    /// Makes the path hold the resource. Returns what the event should say beyond the change:
    /// where earlier content was saved, a hard link replaced.
    private func write(_ resource: DesiredResource, over observed: Observation, with applier: inout Applier) async throws -> [String] {
        let fs = applier.fs
        var saved: String?
        switch (resource.shape, observed) {
        case (.file(let blob, _, let mode), .file(let actual, _, _)) where blob == actual:
            // A file with another name elsewhere is never changed in place: the other name would change too.
            if try fs.setMode(resource.path, mode: mode, directory: false) == .hardLinked {
                try fs.writeFile(resource.path, bytes: try content(blob, for: resource, applier), mode: mode)
                return ["it was a hard link to another file, which was left as it was; it is now a file of its own"]
            }
        case (.directory(let spec), .directory):
            if let mode = spec.mode { try fs.setMode(resource.path, mode: mode, directory: true) }
        case (_, .other(let what)):
            throw TargetError(resource.path, "is \(what); plumb does not replace it, remove it by hand")
        case (.file(let blob, _, let mode), _):
            // Staged and checked before anything at the path is touched: a refused file leaves
            // the live one (and what is in its way) as it was.
            let staged = try fs.stage(resource.path, bytes: try content(blob, for: resource, applier), mode: mode)
            if let argv = resource.validate { try await Self.validate(staged, with: argv, quotingOutput: !resource.sensitive) }
            saved = try clear(resource, observed, keepingFilesInPlace: true, with: &applier)
            try staged.commit()
        case (.directory(let spec), _):
            saved = try clear(resource, observed, keepingFilesInPlace: false, with: &applier)
            try fs.makeDirectory(resource.path, mode: spec.mode ?? 0o755)
        case (.symlink(let target), _):
            saved = try clear(resource, observed, keepingFilesInPlace: true, with: &applier)
            try fs.makeSymlink(resource.path, target: target)
        case (.service, _), (.command, _):
            throw StateError("\(resource.id) is not a file resource")
        }
        // Backups are 0600 in the 0700 state dir; a sensitive file's says so, since it may hold a secret.
        let privately = resource.sensitive ? " (mode 0600, readable by its owner only: it may hold a secret)" : ""
        return saved.map { ["the previous content is saved at \($0)\(privately)"] } ?? []
    }

    /// Runs a File's `validate` on its staged content; a non-zero exit (or no such program, or a
    /// timeout) refuses the file, naming the exit and the last line the command printed, unless
    /// the content is sensitive: a validator may quote what it refuses.
    static func validate(_ staged: StagedFile, with argv: [String], quotingOutput: Bool) async throws {
        let words = Validation.arguments(argv, stagedAt: staged.absolutePath)
        let command = argv.joined(separator: " ")
        guard let program = ChildProcess.find(words[0]) else {
            throw ValidationRefusal("validate (\(command)) cannot run: \(words[0]) was not found; \(staged.path) was not changed")
        }
        let out: ChildOutput
        do {
            out = try await ChildProcess.run(program, Array(words.dropFirst()), timeout: validationTimeout)
        } catch {
            throw ValidationRefusal("validate (\(command)) failed: \(error); \(staged.path) was not changed")
        }
        guard out.status != 0 else { return }
        throw ValidationRefusal("validate (\(command)) refused the new content of \(staged.path): exit \(out.status)"
                                + (quotingOutput ? out.lastLine.map { ": \($0)" } ?? "" : " (its output is not shown: the content is sensitive)")
                                + "; \(staged.path) was not changed")
    }

    /// How long a `validate` command may run.
    static let validationTimeout: Duration = .seconds(60)

    /// The bytes a File should hold, refused when they are not what the file is meant to be.
    private func content(_ blob: String, for resource: DesiredResource, _ applier: Applier) throws -> [UInt8] {
        guard let bytes = applier.contents[blob] else { throw TargetError(resource.path, "the content \(blob.prefix(12)) is missing from the mirror") }
        if GitLFS.isPointer(bytes) {
            throw TargetError(resource.path, "its content in git is a Git LFS pointer, not the file; plumb does not fetch LFS objects: commit the file itself, without LFS")
        }
        return bytes
    }

    /// Saves what plumb did not write and removes what a rename cannot replace (a directory, or
    /// anything in the way of a new directory).
    private func clear(_ resource: DesiredResource, _ observed: Observation, keepingFilesInPlace: Bool, with applier: inout Applier) throws -> String? {
        let saved = try applier.backupIfForeign(resource, observed)
        switch observed {
        case .directory: try applier.fs.remove(resource.path, directory: true)
        case .file, .symlink: if !keepingFilesInPlace { try applier.fs.remove(resource.path, directory: false) }
        default: break
        }
        return saved
    }

    // MARK: Remove

    /// Deletes an extra only if it is still as plumb left it; looks again now, not at the plan's
    /// observation, since a person may have touched it meanwhile.
    func remove(_ status: ResourceStatus, entry: InventoryEntry, with applier: inout Applier) async throws -> SyncReport.Result {
        let store = applier.store
        if status.path.isEmpty { return try applier.skipPrune(status, "it is the target root, which plumb never removes") }
        let now = Observer(fs: applier.fs, lookup: .empty).observe(status.path)
        switch now {
        case .absent:
            try store.forget(status.id)
            return .done("already gone")
        case .other(let what): return try applier.skipPrune(status, "it is now \(what)")
        case .unobservable(let why): return try applier.skipPrune(status, why)
        default:
            guard Self.holdsWhatPlumbApplied(now, entry) else { return try applier.skipPrune(status, "it changed since plumb applied it") }
        }
        do {
            try applier.fs.remove(status.path, directory: entry.kind == .directory)
        } catch {
            return try applier.skipPrune(status, "\(error)")
        }
        try store.forget(status.id)
        try store.append(Event(.resourcePruned, .info, resource: status.id, revision: applier.revision, message: "deleted \(status.path)"))
        return .done("deleted \(status.path)")
    }
}

extension FileProvider {
    /// Deletes a file or symlink plumb did not write from a Directory that purges, saving it in
    /// the state dir first. It is moved aside before it is read, so what is saved is exactly
    /// what is deleted; if it cannot be saved, it is put back and nothing is lost.
    func purge(_ status: ResourceStatus, with applier: inout Applier) throws -> SyncReport.Result {
        let fs = applier.fs
        switch Observer(fs: fs, lookup: .empty).observe(status.path) {
        case .absent: return .done("already gone")
        case .file, .symlink: break
        case let other: return try applier.skipPrune(status, "it is now \(other.noun)")
        }
        let aside: String
        do { aside = try fs.moveAside(status.path) } catch { return try applier.skipPrune(status, "\(error)") }
        let saved: String
        do {
            let bytes: [UInt8]
            switch Observer(fs: fs, lookup: .empty).observe(aside) {
            case .file: bytes = try fs.readFile(aside)
            case .symlink(let link): bytes = Array(link.utf8)
            case let other: throw TargetError(status.path, "became \(other.noun) while plumb worked on it")
            }
            saved = try applier.save(bytes, of: status.id, at: status.path)
        } catch {
            fs.putBack(aside, to: status.path)
            return try applier.skipPrune(status, "cannot save it before deleting it: \(error); it was left as it was")
        }
        try fs.remove(aside, directory: false)
        let message = "deleted \(status.path) (plumb did not write it; its Directory purges); saved at \(saved)"
        try applier.store.append(Event(.resourcePurged, .info, resource: status.id, revision: applier.revision, message: message))
        return .done(message)
    }
}

/// A File's new content refused by its `validate` command: journalled `ValidationFailed`.
struct ValidationRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description.escapingControlCharacters }
}
