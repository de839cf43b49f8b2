import DesiredState

/// What a sync will do, resource by resource, in the order it will do it.
public struct SyncPlan: Sendable {
    /// What a step does, in one word: what the plan and the outcome say.
    public enum Action: String, Sendable, Hashable {
        case create, update, prune, purge, keep, blocked, start, stop, restart, reload, run
        case daemonReload = "daemon-reload"

        /// The word for it done: `created`, `restarted`, `ran`.
        public var past: String {
            switch self {
            case .create: return "created"
            case .update: return "updated"
            case .prune: return "pruned"
            case .purge: return "purged"
            case .keep: return "kept"
            case .blocked: return "blocked"
            case .start: return "started"
            case .stop: return "stopped"
            case .restart: return "restarted"
            case .reload: return "reloaded"
            case .run: return "ran"
            case .daemonReload: return "daemon-reloaded"
            }
        }
    }

    public enum Step: Sendable, Hashable {
        case create(DesiredResource, Observation)
        case update(DesiredResource, Observation)
        case prune(ResourceStatus)
        /// A file plumb did not write in a Directory that says `purge: true`: saved, then deleted.
        case purge(ResourceStatus)
        /// An extra due for pruning that prune may not delete (plumb did not apply it): kept, with
        /// the reason, in the plan as in the sync (`PruneSkipped`).
        case keep(ResourceStatus, String)
        /// Cannot be applied; the reason is reported as a failure.
        case blocked(ResourceStatus, String)
        /// A notification: restart or reload a Service, run a Command, because `triggers`
        /// change in this sync (none: a Command that failed last time runs again).
        case notify(DesiredResource, Action, triggers: [ResourceID])
        /// `systemctl daemon-reload`, after unit files changed and before any Service step.
        case daemonReload(after: [ResourceID])

        public var id: ResourceID {
            switch self {
            case .create(let r, _), .update(let r, _), .notify(let r, _, _): return r.id
            case .prune(let s), .purge(let s), .keep(let s, _), .blocked(let s, _): return s.id
            case .daemonReload: return SyncPlan.daemonReloadID
            }
        }

        public var path: String {
            switch self {
            case .create(let r, _), .update(let r, _), .notify(let r, _, _): return r.path
            case .prune(let s), .purge(let s), .keep(let s, _), .blocked(let s, _): return s.path
            case .daemonReload: return ""
            }
        }

        /// The resource it acts on, when it is a declared one.
        public var resource: DesiredResource? {
            switch self {
            case .create(let r, _), .update(let r, _), .notify(let r, _, _): return r
            case .blocked(let s, _): return s.desired
            case .prune, .purge, .keep, .daemonReload: return nil
            }
        }

        /// What must succeed before this step (`dependsOn`).
        public var dependsOn: [ResourceID] { resource?.dependsOn ?? [] }

        /// What must not have failed in this sync for this step to act: what it depends on, for a
        /// notification what notifies it (and the resource's own step), for a Service the daemon-reload.
        var blockers: [ResourceID] {
            var ids = dependsOn
            if case .notify(let r, _, let triggers) = self { ids += triggers + [r.id] }
            if resource?.kind == .service { ids.append(SyncPlan.daemonReloadID) }
            return ids
        }

        /// What comes before it in the plan, beyond the folders above it.
        var after: [ResourceID] {
            if case .daemonReload(let triggers) = self { return triggers }
            guard let r = resource else { return [] }
            let reload = r.kind == .service ? [SyncPlan.daemonReloadID] : []
            if case .notify(_, _, let triggers) = self { return r.dependsOn + triggers + [r.id] + reload }
            return r.dependsOn + r.notifiedBy + reload
        }

        /// What the plan says beside the step: what it waits for, the command that checks or runs.
        public var planNote: String? {
            var notes: [String] = []
            if !dependsOn.isEmpty { notes.append("after " + dependsOn.map(\.description).joined(separator: ", ")) }
            switch self {
            case .create(let r, _), .update(let r, _):
                if let argv = r.validate { notes.append("validate: " + argv.joined(separator: " ")) }
            case .notify(let r, _, let triggers):
                notes.append(triggers.isEmpty ? "again: its last run failed" : "when " + triggers.map(\.description).joined(separator: ", ") + " change")
                if case .command(let spec) = r.shape { notes.append("runs: " + spec.run.joined(separator: " ")) }
            case .daemonReload(let triggers):
                notes.append("unit files changed: " + triggers.map(\.description).joined(separator: ", "))
            case .keep(_, let why):
                notes.append(why)
            case .purge(let s):
                notes.append("plumb did not write it; saved in the state dir first (its Directory \(s.owner?.description ?? "") purges)")
            default: break
            }
            return notes.isEmpty ? nil : notes.joined(separator: "; ")
        }

        /// What it does, in one word.
        public var action: Action {
            switch self {
            case .create(let r, let observed): return Providers.provider(for: r.kind).action(r, over: observed, missing: true)
            case .update(let r, let observed): return Providers.provider(for: r.kind).action(r, over: observed, missing: false)
            case .prune: return .prune
            case .purge: return .purge
            case .keep: return .keep
            case .blocked: return .blocked
            case .notify(_, let action, _): return action
            case .daemonReload: return .daemonReload
            }
        }

        /// The word for the change: create, update, prune, blocked, start, restart, run ...
        public var word: String { action.rawValue }
    }

    /// Why an extra plumb did not apply is kept, whatever prune says.
    public static let notPlumbs = "plumb did not apply it, and prune deletes only what plumb applied; remove it by hand or declare it"

    /// The id a daemon-reload step goes by.
    public static let daemonReloadID = ResourceID(kind: "systemd", name: "daemon-reload")

    /// Where systemd reads unit files: a File whose absolute path lies below one of these makes
    /// a daemon-reload part of the sync.
    public static let unitFolders = ["/etc/systemd/system/", "/run/systemd/system/", "/lib/systemd/system/", "/usr/lib/systemd/system/"]

    public let steps: [Step]
    /// Extras left alone because pruning was not asked for.
    public let keptExtras: [ResourceStatus]

    /// Plans the changes that make `statuses` Synced. Creates and updates come parents first and
    /// after what they depend on; notifications after what notifies them; a daemon-reload after
    /// changed unit files and before any Service step; prunes and purges come last, deepest
    /// first. An extra plumb applied is pruned only when `prune` is on or its Directory says
    /// `prune: true`; a file plumb did not write is purged when its Directory says `purge: true`,
    /// and kept otherwise. `targetRoot` is the target's absolute path, to tell unit files.
    public init(statuses: [ResourceStatus], desired: DesiredState, prune: Bool, targetRoot: String) {
        var pruningDirectories = Set<ResourceID>(), purgingDirectories = Set<ResourceID>()
        for resource in desired.resources {
            guard case .directory(let spec) = resource.shape else { continue }
            if spec.prune { pruningDirectories.insert(resource.id) }
            if spec.purge { purgingDirectories.insert(resource.id) }
        }
        var changes: [Step] = [], prunes: [Step] = [], kept: [ResourceStatus] = []
        for status in statuses {
            switch (status.sync, status.drift) {
            case (.synced, _): continue
            case (.unknown, _): changes.append(.blocked(status, status.message ?? "cannot be observed"))
            case (_, .missing): changes.append(.create(status.desired!, status.observed))
            case (_, .pending):
                changes.append(status.observed == .absent ? .create(status.desired!, status.observed) : .update(status.desired!, status.observed))
            case (_, .modified):
                // A Command that failed runs again: the same step as a notification, without a trigger.
                if let r = status.desired, r.kind == .command { changes.append(.notify(r, .run, triggers: [])) } else {
                    changes.append(.update(status.desired!, status.observed))
                }
            case (_, .extra):
                let purges = status.owner.map(purgingDirectories.contains) == true
                if !status.appliedByPlumb && purges {
                    switch status.observed {
                    case .file, .symlink: prunes.append(.purge(status))
                    default: prunes.append(.keep(status, "purge deletes files and symlinks only: \(status.message ?? status.observed.noun)"))
                    }
                    continue
                }
                guard prune || status.owner.map(pruningDirectories.contains) == true else { kept.append(status); continue }
                prunes.append(status.appliedByPlumb ? .prune(status) : .keep(status, Self.notPlumbs))
            case (.outOfSync, nil): continue
            }
        }
        let notified = Self.notifications(for: changes, in: desired)
        // A Command running again after a failure runs once, after what notifies it now.
        let notifiedIDs = Set(notified.map(\.id))
        changes.removeAll { step in
            if case .notify(let r, _, let triggers) = step { return triggers.isEmpty && notifiedIDs.contains(r.id) }
            return false
        }
        changes += notified
        if let reload = Self.daemonReload(after: changes, targetRoot: targetRoot) { changes.append(reload) }
        steps = Self.ordered(changes) + prunes.sorted { $0.path > $1.path }
        keptExtras = kept
    }

    /// A Directory that declares no file at all while its purge would delete files: an empty or
    /// wholly ignored `source` must not empty a folder (or a home directory) by mistake.
    public func purgesEverything(in desired: DesiredState) -> (ResourceID, Int)? {
        var purges: [ResourceID: Int] = [:]
        for step in steps { if case .purge(let status) = step, let owner = status.owner { purges[owner, default: 0] += 1 } }
        guard !purges.isEmpty else { return nil }
        for (directory, count) in purges.sorted(by: { $0.key < $1.key }) {
            guard let folder = desired.resources.first(where: { $0.id == directory }) else { continue }
            let holdsFiles = desired.resources.contains { $0.kind != .directory && $0.kind.isInTarget && TargetPath.isInside($0.path, folder.path) }
            if !holdsFiles { return (directory, count) }
        }
        return nil
    }

    /// A notification for every Service and Command that something in `changes` notifies: a
    /// restart wins over a reload, and a Command already running again takes the triggers.
    /// A notification acts on its resource, which may notify others in turn: this goes on until
    /// nothing new is notified (a Command after the restart of the Service it watches).
    static func notifications(for changes: [Step], in desired: DesiredState) -> [Step] {
        let listening = desired.resources.filter { !$0.notifiedBy.isEmpty }
        guard !listening.isEmpty else { return [] }
        var changing = Set<ResourceID>()
        for step in changes {
            changing.insert(step.id)
            if let owner = step.resource?.owner { changing.insert(owner) }
        }
        var added: [ResourceID: Step] = [:]
        var grew = true
        while grew {
            grew = false
            for resource in listening where added[resource.id] == nil {
                let triggers = resource.notifiedBy.filter(changing.contains)
                guard !triggers.isEmpty else { continue }
                switch resource.shape {
                case .service(let spec):
                    added[resource.id] = .notify(resource, triggers.contains(where: spec.restartOn.contains) ? .restart : .reload, triggers: triggers)
                case .command:
                    added[resource.id] = .notify(resource, .run, triggers: triggers)
                default: continue
                }
                changing.insert(resource.id)
                grew = true
            }
        }
        return Array(added.values)
    }

    /// The daemon-reload a sync needs when it writes a file where systemd reads units.
    static func daemonReload(after changes: [Step], targetRoot: String) -> Step? {
        let root = targetRoot.hasSuffix("/") ? targetRoot : targetRoot + "/"
        let units = changes.filter { step in
            guard let r = step.resource, r.kind.isInTarget else { return false }
            let absolute = root + r.path
            return unitFolders.contains { absolute.hasPrefix($0) }
        }
        return units.isEmpty ? nil : .daemonReload(after: units.map(\.id))
    }

    /// Changes by path (so folders come before what they hold), each moved after the steps of
    /// what it depends on, of what notifies it and of the folders above it. Revisions are
    /// checked to have no cycle in these; a loop made with folders is broken where it is found.
    static func ordered(_ changes: [Step]) -> [Step] {
        let sorted = changes.sorted { $0.path < $1.path }
        guard sorted.contains(where: { !$0.after.isEmpty }) else { return sorted }
        var byID: [ResourceID: [Int]] = [:], byPath: [String: Int] = [:]
        for (index, step) in sorted.enumerated() {
            byID[step.id, default: []].append(index)
            if step.resource?.kind.isInTarget == true, byPath[step.path] == nil { byPath[step.path] = index }
            // A file of a Directory's source changes the Directory, for what waits on it.
            if let owner = step.resource?.owner { byID[owner, default: []].append(index) }
        }
        var placed = Set<Int>(), visiting = Set<Int>()
        var out: [Step] = []
        out.reserveCapacity(sorted.count)
        func place(_ index: Int) {
            guard !placed.contains(index), visiting.insert(index).inserted else { return }
            let step = sorted[index]
            if step.resource?.kind.isInTarget == true {
                for ancestor in TargetPath.ancestors(of: step.path) { if let before = byPath[ancestor] { place(before) } }
            }
            for id in step.after { for before in byID[id] ?? [] where before != index { place(before) } }
            visiting.remove(index)
            placed.insert(index)
            out.append(step)
        }
        for index in sorted.indices { place(index) }
        return out
    }
}
