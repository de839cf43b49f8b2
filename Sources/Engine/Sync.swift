import ChildProcess
import Foundation
import DesiredState
import VersionSource

/// How `sync` was asked to run.
public struct SyncOptions: Sendable {
    /// Only these resources; nil for all (only a full sync sets the applied revision).
    public var ids: [ResourceID]?
    public var prune = false
    public var dryRun = false
    public var allowEmpty = false
    public var acceptRewrite = false
    public var fetch = true
    /// The lock this process already holds for its whole life (the agent's); nil to take it here.
    public var heldLock: EngineLock?
    /// Apply this revision instead of the head: the agent keeps to the applied one while the
    /// branch's history is rewritten.
    public var revision: String?
    /// When a caller that tries again (the agent) will, to name in a SyncFailed event.
    public var retryAt: Date?

    public init(ids: [ResourceID]? = nil) { self.ids = ids }
}

/// What a sync did, step by step.
public struct SyncReport: Sendable {
    public enum Result: Sendable, Hashable { case done(String), skipped(String), failed(String) }

    public struct Outcome: Sendable, Hashable {
        public let step: SyncPlan.Step
        public let result: Result
    }

    public let revision: String
    public let plan: SyncPlan
    public let outcomes: [Outcome]
    /// Whether this sync made `revision` the applied revision.
    public let applied: Bool

    public var failures: [Outcome] { outcomes.filter { if case .failed = $0.result { return true } else { return false } } }
}

extension Engine {
    /// Applies the head revision (or the resources asked for) to the target. Refuses, with nothing
    /// changed, an invalid revision, a rewritten history, unknown ids and a desired state that
    /// would delete everything.
    public func sync(_ options: SyncOptions) async throws -> SyncReport {
        let lock = options.dryRun ? nil : try options.heldLock ?? EngineLock(path: config.stateDir.lock)
        defer { withExtendedLifetime(lock) {} }

        if options.fetch { try await fetch() }
        let branchHead = try await currentHead()
        let head = options.revision ?? branchHead
        let applied = try store.meta(.appliedRevision)
        if options.revision == nil, let applied, applied != head, !(try await mirror.isAncestor(applied, of: head)), !options.acceptRewrite {
            let message = "\(config.source.branch) moved to \(head.prefix(12)), which does not descend from the applied revision \(applied.prefix(12)) (history rewritten or force-pushed); nothing applied. Run `plumb sync --accept-rewrite` to apply it"
            if !options.dryRun { try store.append(Event(.historyRewritten, .error, revision: head, message: message)) }
            throw StateError(message)
        }
        let desired = try await desiredState(at: head)
        var statuses = try observe(desired)
        if let ids = options.ids {
            let known = Set(statuses.map(\.id))
            if let unknown = ids.first(where: { !known.contains($0) }) {
                throw StateError("no resource \(unknown.description.escapingControlCharacters) in revision \(head.prefix(12)) or among the extras")
            }
            let wanted = Set(ids)
            statuses = statuses.filter { wanted.contains($0.id) }
        }
        let plan = SyncPlan(statuses: statuses, desired: desired, prune: options.prune || desired.settings.prune)
        let inventory = try store.inventory()
        let prunes = plan.steps.filter { if case .prune = $0 { return true } else { return false } }.count
        if desired.resources.isEmpty && prunes > 0 && !options.allowEmpty {
            throw StateError("revision \(head.prefix(12)) declares no resources: pruning would delete all \(prunes) resources plumb applied. Run with --allow-empty if that is what you want")
        }
        if options.dryRun { return SyncReport(revision: head, plan: plan, outcomes: [], applied: false) }

        try store.append(Event(.syncStarted, .info, revision: head, message: "applying \(head.prefix(12)): \(plan.steps.count) change(s)"))
        try store.setMeta(.inventoryMatches, nil)
        let contents = try await desiredContents(plan.steps.compactMap { step in
            switch step {
            case .create(let r, _), .update(let r, _): return r
            default: return nil
            }
        })
        var applier = Applier(engine: self, revision: head, inventory: inventory, contents: contents)
        var outcomes: [SyncReport.Outcome] = []
        for step in plan.steps { outcomes.append(SyncReport.Outcome(step: step, result: await applier.apply(step))) }

        // Resources already as declared are plumb's from now on, and vanished extras are forgotten.
        for status in statuses where status.sync == .synced { try applier.recordInventory(status.desired!) }
        let listed = Set(statuses.map(\.id))
        for entry in inventory.values where !listed.contains(entry.id) && options.ids == nil {
            if case .success(nil) = target.lstat(entry.path) { try store.forget(entry.id) }
        }

        let failures = outcomes.filter { if case .failed = $0.result { return true } else { return false } }
        let done = outcomes.filter { if case .done = $0.result { return true } else { return false } }
        let counts = Dictionary(grouping: done, by: { $0.step.word }).mapValues(\.count)
        let summary = [("create", "created"), ("update", "updated"), ("prune", "pruned")].map { "\(counts[$0.0] ?? 0) \($0.1)" }
            + (plan.keptExtras.isEmpty ? [] : ["\(plan.keptExtras.count) extra kept (use --prune)"])
        if failures.isEmpty {
            let full = options.ids == nil
            if full {
                try store.setMeta(.appliedRevision, head)
                if Set(try store.inventory().keys) == Set(desired.resources.map(\.id)) { try store.setMeta(.inventoryMatches, head) }
            }
            try store.append(Event(.syncSucceeded, .info, revision: head,
                                   message: "applied \(head.prefix(12))\(full ? "" : " to \(statuses.count) resource(s)"): \(summary.joined(separator: ", "))"))
            return SyncReport(revision: head, plan: plan, outcomes: outcomes, applied: full)
        }
        let retry = options.retryAt.map { "; next attempt at \($0.formatted(.iso8601))" } ?? ""
        try store.append(Event(.syncFailed, .error, revision: head,
                               message: "\(failures.count) of \(outcomes.count) change(s) failed; \(head.prefix(12)) is not fully applied\(retry)"))
        return SyncReport(revision: head, plan: plan, outcomes: outcomes, applied: false)
    }
}

/// Carries out plan steps one at a time, journalling each and keeping the inventory true.
struct Applier {
    let engine: Engine
    let revision: String
    let inventory: [ResourceID: InventoryEntry]
    let contents: [String: [UInt8]]
    /// This sync's folder for saved content, made on first use with a unique name, so that two
    /// syncs never write their backups into one place.
    private var backupFolder: String?
    /// Steps of this sync that failed (or were not applied because of one): what depends on
    /// them is not applied either.
    private var failed = Set<ResourceID>()

    init(engine: Engine, revision: String, inventory: [ResourceID: InventoryEntry], contents: [String: [UInt8]]) {
        self.engine = engine
        self.revision = revision
        self.inventory = inventory
        self.contents = contents
    }

    var fs: TargetFileSystem { engine.target }
    var store: StateStore { engine.store }

    mutating func apply(_ step: SyncPlan.Step) async -> SyncReport.Result {
        let result = await carryOut(step)
        if case .failed = result { failed.insert(step.id) }
        return result
    }

    private mutating func carryOut(_ step: SyncPlan.Step) async -> SyncReport.Result {
        if let cause = step.dependsOn.first(where: failed.contains) {
            let message = "not applied: it depends on \(cause), which failed in this sync"
            _ = try? store.append(Event(.syncFailed, .error, resource: step.id, revision: revision, message: message))
            return .failed(message)
        }
        do {
            switch step {
            case .create(let resource, let observed), .update(let resource, let observed):
                let notes = try await write(resource, over: observed)
                try recordInventory(resource)
                let verb = step.word == "create" ? "created" : "updated"
                let message = ([verb + " " + resource.path] + notes).joined(separator: "; ")
                try store.append(Event(step.word == "create" ? .resourceCreated : .resourceUpdated, .info,
                                       resource: resource.id, revision: revision, message: message))
                return .done(message)
            case .prune(let status):
                return try prune(status)
            case .blocked(let status, let why):
                try store.append(Event(.syncFailed, .error, resource: status.id, revision: revision, message: "cannot apply: \(why)"))
                return .failed(why)
            }
        } catch let refused as ValidationRefusal {
            _ = try? store.append(Event(.validationFailed, .error, resource: step.id, revision: revision, message: refused.description))
            return .failed(refused.description)
        } catch {
            let message = "\(error)"
            _ = try? store.append(Event(.syncFailed, .error, resource: step.id, revision: revision, message: message))
            return .failed(message)
        }
    }

    /// Makes the path hold the resource. Returns what the event should say beyond the change:
    /// where earlier content was saved, a hard link replaced.
    mutating func write(_ resource: DesiredResource, over observed: Observation) async throws -> [String] {
        var saved: String?
        switch (resource.shape, observed) {
        case (.file(let blob, _, let mode), .file(let actual, _, _)) where blob == actual:
            // A file with another name elsewhere is never changed in place: the other name would change too.
            if try fs.setMode(resource.path, mode: mode, directory: false) == .hardLinked {
                try fs.writeFile(resource.path, bytes: try content(blob, for: resource), mode: mode)
                return ["it was a hard link to another file, which was left as it was; it is now a file of its own"]
            }
        case (.directory(let mode, _), .directory):
            try fs.setMode(resource.path, mode: mode, directory: true)
        case (_, .other(let what)):
            throw TargetError(resource.path, "is \(what); plumb does not replace it, remove it by hand")
        case (.file(let blob, _, let mode), _):
            // Staged and checked before anything at the path is touched: a refused file leaves
            // the live one (and what is in its way) as it was.
            let staged = try fs.stage(resource.path, bytes: try content(blob, for: resource), mode: mode)
            if let argv = resource.validate { try await Self.validate(staged, with: argv) }
            saved = try clear(resource, observed, keepingFilesInPlace: true)
            try staged.commit()
        case (.directory(let mode, _), _):
            saved = try clear(resource, observed, keepingFilesInPlace: false)
            try fs.makeDirectory(resource.path, mode: mode)
        case (.symlink(let target), _):
            saved = try clear(resource, observed, keepingFilesInPlace: true)
            try fs.makeSymlink(resource.path, target: target)
        }
        return saved.map { ["the previous content is saved at \($0)"] } ?? []
    }

    /// Runs a File's `validate` on its staged content; a non-zero exit (or no such program, or a
    /// timeout) refuses the file, naming the exit and the last line the command printed.
    static func validate(_ staged: StagedFile, with argv: [String]) async throws {
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
        let last = out.stderr.split(whereSeparator: \.isNewline).last
            ?? String(decoding: out.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).last
        throw ValidationRefusal("validate (\(command)) refused the new content of \(staged.path): exit \(out.status)"
                                + (last.map { ": \($0)" } ?? "") + "; \(staged.path) was not changed")
    }

    /// How long a `validate` command may run.
    static let validationTimeout: Duration = .seconds(60)

    /// The bytes a File should hold, refused when they are not what the file is meant to be.
    private func content(_ blob: String, for resource: DesiredResource) throws -> [UInt8] {
        guard let bytes = contents[blob] else { throw TargetError(resource.path, "the content \(blob.prefix(12)) is missing from the mirror") }
        if GitLFS.isPointer(bytes) {
            throw TargetError(resource.path, "its content in git is a Git LFS pointer, not the file; plumb does not fetch LFS objects: commit the file itself, without LFS")
        }
        return bytes
    }

    /// Saves what plumb did not write and removes what a rename cannot replace (a directory, or
    /// anything in the way of a new directory).
    private mutating func clear(_ resource: DesiredResource, _ observed: Observation, keepingFilesInPlace: Bool) throws -> String? {
        let saved = try backupIfForeign(resource, observed)
        switch observed {
        case .directory: try fs.remove(resource.path, directory: true)
        case .file, .symlink: if !keepingFilesInPlace { try fs.remove(resource.path, directory: false) }
        default: break
        }
        return saved
    }

    /// Copies content into the state dir before it is replaced, unless it is exactly what plumb
    /// itself wrote there last.
    private mutating func backupIfForeign(_ resource: DesiredResource, _ observed: Observation) throws -> String? {
        let bytes: [UInt8]
        switch observed {
        case .file(let blob, _, _):
            if inventory[resource.id]?.blob == blob { return nil }
            bytes = try fs.readFile(resource.path)
        case .symlink(let link):
            let blob = BlobHasher.id(of: Array(link.utf8))
            if inventory[resource.id]?.blob == blob { return nil }
            bytes = Array(link.utf8)
        default:
            return nil
        }
        do {
            let file = try backupFolderForThisSync() + "/" + resource.path
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
            // Its owner's only, like the state dir: the content may be a secret.
            try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
            guard chmod(file, 0o600) == 0 else { throw StateError("cannot make \(file) private: \(String(cString: strerror(errno)))") }
            try store.recordBackup(Backup(resource: resource.id, path: resource.path, file: file))
            return file
        } catch {
            throw StateError("cannot save the current content of \(resource.path) before replacing it: \(error.systemReason); nothing was changed")
        }
    }

    /// `backups/<time>-<revision>-XXXXXX`, made with mkdtemp the first time this sync saves something.
    private mutating func backupFolderForThisSync() throws -> String {
        if let backupFolder { return backupFolder }
        try FileManager.default.createDirectory(atPath: engine.config.stateDir.backups, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let stamp = Date().formatted(.iso8601.year().month().day().dateSeparator(.omitted).time(includingFractionalSeconds: false).timeSeparator(.omitted))
        var template = Array("\(engine.config.stateDir.backups)/\(stamp)-\(revision.prefix(12))-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StateError("cannot create a backup folder in \(engine.config.stateDir.backups): \(String(cString: strerror(errno)))") }
        backupFolder = String(cString: made)
        return backupFolder!
    }

    func recordInventory(_ resource: DesiredResource) throws {
        let (blob, mode): (String, UInt32)
        switch resource.shape {
        case .file(let b, _, let m): (blob, mode) = (b, m)
        case .directory(let m, _): (blob, mode) = ("", m)
        case .symlink(let target): (blob, mode) = (BlobHasher.id(of: Array(target.utf8)), 0o777)
        }
        try store.record(InventoryEntry(id: resource.id, kind: resource.kind.rawValue, path: resource.path, blob: blob, mode: mode,
                                        revision: revision, sensitive: resource.sensitive))
    }

    /// Deletes an extra only if plumb applied it and it is still as plumb left it; looks again now,
    /// not at the plan's observation, since a person may have touched it meanwhile.
    private func prune(_ status: ResourceStatus) throws -> SyncReport.Result {
        func skip(_ why: String) throws -> SyncReport.Result {
            try store.append(Event(.pruneSkipped, .warning, resource: status.id, revision: revision, message: "kept \(status.path): \(why)"))
            return .skipped(why)
        }
        guard let entry = inventory[status.id], entry.path == status.path else { return try skip("plumb did not apply it, and prune deletes only what plumb applied; remove it by hand or declare it") }
        let observer = Observer(fs: fs, lookup: .empty)
        let now = observer.observe(status.path)
        let unchanged: Bool
        switch now {
        case .absent:
            try store.forget(status.id)
            return .done("already gone")
        case .file(let blob, _, _): unchanged = entry.kind == ResourceKind.file.rawValue && blob == entry.blob
        case .symlink(let link): unchanged = entry.kind == ResourceKind.symlink.rawValue && BlobHasher.id(of: Array(link.utf8)) == entry.blob
        case .directory: unchanged = entry.kind == ResourceKind.directory.rawValue
        case .other(let what): return try skip("it is now \(what)")
        case .unobservable(let why): return try skip(why)
        }
        guard unchanged else { return try skip("it changed since plumb applied it") }
        do {
            try fs.remove(status.path, directory: entry.kind == ResourceKind.directory.rawValue)
        } catch {
            return try skip("\(error)")
        }
        try store.forget(status.id)
        try store.append(Event(.resourcePruned, .info, resource: status.id, revision: revision, message: "deleted \(status.path)"))
        return .done("deleted \(status.path)")
    }
}

/// A File's new content refused by its `validate` command: journalled `ValidationFailed`.
struct ValidationRefusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description.escapingControlCharacters }
}
