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
        defer {
            // A sync writes the most: its log is emptied before the commands after it open the database.
            if !options.dryRun { store.compactJournal() }
            withExtendedLifetime(lock) {}
        }

        if options.fetch { try await fetch() }
        let branchHead = try await currentHead()
        let head = options.revision ?? branchHead
        let applied = try store.meta(.appliedRevision)
        if options.revision == nil, let applied, applied != head, !(try await mirror.isAncestor(applied, of: head)), !options.acceptRewrite {
            let message = "\(config.source.branch) moved to \(head.prefix(12)), which does not descend from the applied revision \(applied.prefix(12)) (history rewritten or force-pushed); nothing applied. Run `plumb sync --accept-rewrite` to apply it"
            if !options.dryRun { try store.append(Event(.historyRewritten, .error, revision: head, message: message)) }
            throw StateError(message)
        }
        // Nothing is applied whose signature does not verify, when a trust root is given.
        if let problem = try await signatureProblem(of: head) {
            if !options.dryRun { try store.append(Event(.signatureInvalid, .error, revision: head, message: problem)) }
            throw StateError(problem)
        }
        let desired = try await desiredState(at: head)
        var statuses = try await observe(desired)
        if let ids = options.ids {
            let known = Set(statuses.map(\.id))
            if let unknown = ids.first(where: { !known.contains($0) }) {
                throw StateError("no resource \(unknown.description.escapingControlCharacters) in revision \(head.prefix(12)) or among the extras")
            }
            let wanted = Set(ids)
            statuses = statuses.filter { wanted.contains($0.id) }
        }
        let plan = SyncPlan(statuses: statuses, desired: desired, prune: options.prune || desired.settings.prune, targetRoot: target.root)
        let inventory = try store.inventory()
        let prunes = plan.steps.filter { if case .prune = $0 { return true } else { return false } }.count
        if desired.resources.isEmpty && prunes > 0 && !options.allowEmpty {
            throw StateError("revision \(head.prefix(12)) declares no resources: pruning would delete all \(prunes) resources plumb applied. Run with --allow-empty if that is what you want")
        }
        if !options.allowEmpty, let (directory, count) = plan.purgesEverything(in: desired) {
            throw StateError("\(directory) declares no file, and purge would delete all \(count) file(s) in it. Run with --allow-empty if that is what you want")
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

        // Resources already as declared are plumb's from now on; vanished extras are forgotten, and
        // so are old names of what is declared now: a path another resource declares, a folder
        // declared resources lie in (else it would be an extra that can never clear).
        // In one transaction, and only what the inventory does not already say.
        try store.record(statuses.compactMap { status in
            guard status.sync == .synced, let entry = applier.inventoryEntry(status.desired!), inventory[entry.id] != entry else { return nil }
            return entry
        })
        if options.ids == nil {
            let listed = Set(statuses.map(\.id))
            let declaredPaths = Set(desired.resources.lazy.filter(\.kind.isInTarget).map(\.path))
            let needed = FileProvider.folders(holding: desired.resources)
            for entry in inventory.values where entry.isInTarget && !listed.contains(entry.id) {
                let gone = if case .success(nil) = target.lstat(entry.path) { true } else { false }
                let taken = declaredPaths.contains(entry.path) || (entry.kind == .directory && needed.contains(entry.path))
                if gone || taken { try store.forget(entry.id) }
            }
        }

        let failures = outcomes.filter { if case .failed = $0.result { return true } else { return false } }
        let done = outcomes.filter { if case .done = $0.result { return true } else { return false } }
        let counts = Dictionary(grouping: done, by: { $0.step.action }).mapValues(\.count)
        let always: [SyncPlan.Action] = [.create, .update, .prune]
        let others: [SyncPlan.Action] = [.purge, .start, .stop, .restart, .reload, .run, .daemonReload]
        var summary = always.map { "\(counts[$0] ?? 0) \($0.past)" }
        for action in others { if let count = counts[action] { summary.append("\(count) \(action.past)") } }
        let skipped = outcomes.filter { if case .skipped = $0.result { return true } else { return false } }.count
        if skipped > 0 { summary.append("\(skipped) kept (not safe to prune)") }
        if !plan.keptExtras.isEmpty { summary.append("\(plan.keptExtras.count) extra kept (use --prune)") }
        if failures.isEmpty {
            let full = options.ids == nil
            if full {
                try store.setMeta(.appliedRevision, head)
                let files = try store.inventory().values.filter(\.isInTarget).map(\.id)
                if Set(files) == Set(desired.resources.filter(\.kind.isInTarget).map(\.id)) { try store.setMeta(.inventoryMatches, desired.key) }
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

/// Carries out plan steps one at a time through the provider of each step's kind, journalling
/// each and keeping the inventory true.
struct Applier {
    let engine: Engine
    let revision: String
    let inventory: [ResourceID: InventoryEntry]
    let contents: [String: [UInt8]]
    /// This sync's folder for saved content, made on first use with a unique name, so that two
    /// syncs never write their backups into one place.
    private var backupFolder: String?
    /// Steps of this sync that failed (or were not applied because of one), with the Directory
    /// of a failed file of its source: what depends on them or is notified by them does not act.
    private var failed = Set<ResourceID>()
    /// Services this sync started: a restart they are notified of after that has nothing to do.
    var started = Set<ResourceID>()

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
        if case .failed = result {
            failed.insert(step.id)
            if let owner = step.resource?.owner { failed.insert(owner) }
        }
        return result
    }

    private mutating func carryOut(_ step: SyncPlan.Step) async -> SyncReport.Result {
        if let cause = step.blockers.first(where: failed.contains) {
            let message = step.dependsOn.contains(cause) ? "not applied: it depends on \(cause), which failed in this sync"
                : "not \(step.action.past): \(cause == SyncPlan.daemonReloadID ? "systemctl daemon-reload" : cause.description) failed in this sync"
            _ = try? store.append(Event(.syncFailed, .error, resource: step.id, revision: revision, message: message))
            return .failed(message)
        }
        do {
            let applied: Applied
            switch step {
            case .create(let resource, let observed), .update(let resource, let observed):
                applied = try await Providers.provider(for: resource.kind).apply(resource, over: observed, with: &self)
            case .notify(let resource, let action, let triggers):
                applied = try await Providers.provider(for: resource.kind).notify(resource, action, after: triggers, with: &self)
            case .daemonReload:
                applied = try await ServiceProvider.daemonReload()
            case .prune(let status):
                guard let entry = inventory[status.id], entry.path == status.path || !entry.isInTarget else {
                    return try skipPrune(status, SyncPlan.notPlumbs)
                }
                return try await Providers.provider(for: entry.kind).remove(status, entry: entry, with: &self)
            case .purge(let status):
                return try FileProvider().purge(status, with: &self)
            case .keep(let status, let why):
                return try skipPrune(status, why)
            case .blocked(let status, let why):
                try store.append(Event(.syncFailed, .error, resource: status.id, revision: revision, message: "cannot apply: \(why)"))
                return .failed(why)
            }
            guard let reason = applied.reason else { return .done(applied.message) }
            try store.append(Event(reason, reason == .commandFailed ? .error : .info,
                                   resource: step.id == SyncPlan.daemonReloadID ? nil : step.id, revision: revision, message: applied.message))
            return applied.reason == .commandFailed ? .failed(applied.message) : .done(applied.message)
        } catch let refused as ValidationRefusal {
            _ = try? store.append(Event(.validationFailed, .error, resource: step.id, revision: revision, message: refused.description))
            return .failed(refused.description)
        } catch {
            let message = "\(error)"
            _ = try? store.append(Event(.syncFailed, .error, resource: step.id, revision: revision, message: message))
            return .failed(message)
        }
    }

    /// Journals that an extra was kept, and why.
    func skipPrune(_ status: ResourceStatus, _ why: String) throws -> SyncReport.Result {
        try store.append(Event(.pruneSkipped, .warning, resource: status.id, revision: revision, message: "kept \(status.place): \(why)"))
        return .skipped(why)
    }

    /// Copies content into the state dir before it is replaced, unless it is exactly what plumb
    /// itself wrote there last.
    mutating func backupIfForeign(_ resource: DesiredResource, _ observed: Observation) throws -> String? {
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
            return try save(bytes, of: resource.id, at: resource.path)
        } catch {
            throw StateError("cannot save the current content of \(resource.path) before replacing it: \(error.systemReason); nothing was changed")
        }
    }

    /// Saves content found at `path` in this sync's backup folder, readable by its owner only
    /// (the content may be a secret), and records where.
    mutating func save(_ bytes: [UInt8], of id: ResourceID, at path: String) throws -> String {
        let file = try backupFolderForThisSync() + "/" + path
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic)
        guard chmod(file, 0o600) == 0 else { throw StateError("cannot make \(file) private: \(String(cString: strerror(errno)))") }
        try store.recordBackup(Backup(resource: id, path: path, file: file))
        return file
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

    /// Records a file resource as plumb's: what it wrote there.
    func recordInventory(_ resource: DesiredResource) throws {
        if let entry = inventoryEntry(resource) { try store.record(entry) }
    }

    /// What the inventory says of a file resource plumb wrote at this revision; nil for a Service
    /// or a Command, which record their own.
    func inventoryEntry(_ resource: DesiredResource) -> InventoryEntry? {
        let (blob, mode): (String, UInt32)
        switch resource.shape {
        case .file(let b, _, let m): (blob, mode) = (b, m)
        // The target root without `mode` records no mode: it is never plumb's to remove.
        case .directory(let spec): (blob, mode) = ("", spec.mode ?? 0)
        case .symlink(let target): (blob, mode) = (BlobHasher.id(of: Array(target.utf8)), 0o777)
        case .service, .command: return nil
        }
        return InventoryEntry(id: resource.id, kind: resource.kind, path: resource.path, blob: blob, mode: mode,
                              revision: revision, sensitive: resource.sensitive)
    }
}
