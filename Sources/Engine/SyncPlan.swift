import DesiredState

/// What a sync will do, resource by resource, in the order it will do it.
public struct SyncPlan: Sendable {
    public enum Step: Sendable, Hashable {
        case create(DesiredResource, Observation)
        case update(DesiredResource, Observation)
        case prune(ResourceStatus)
        /// Cannot be applied; the reason is reported as a failure.
        case blocked(ResourceStatus, String)

        public var id: ResourceID {
            switch self {
            case .create(let r, _), .update(let r, _): return r.id
            case .prune(let s), .blocked(let s, _): return s.id
            }
        }

        public var path: String {
            switch self {
            case .create(let r, _), .update(let r, _): return r.path
            case .prune(let s), .blocked(let s, _): return s.path
            }
        }

        /// What must succeed before this step (`dependsOn`).
        public var dependsOn: [ResourceID] {
            switch self {
            case .create(let r, _), .update(let r, _): return r.dependsOn
            case .blocked(let s, _): return s.desired?.dependsOn ?? []
            case .prune: return []
            }
        }

        /// What the plan says beside the step: what it waits for, the command that checks it.
        public var planNote: String? {
            var notes: [String] = []
            if !dependsOn.isEmpty { notes.append("after " + dependsOn.map(\.description).joined(separator: ", ")) }
            switch self {
            case .create(let r, _), .update(let r, _):
                if let argv = r.validate { notes.append("validate: " + argv.joined(separator: " ")) }
            default: break
            }
            return notes.isEmpty ? nil : notes.joined(separator: "; ")
        }

        /// The word for the change: create, update, prune, blocked.
        public var word: String {
            switch self {
            case .create: return "create"
            case .update: return "update"
            case .prune: return "prune"
            case .blocked: return "blocked"
            }
        }
    }

    public let steps: [Step]
    /// Extras left alone because pruning was not asked for.
    public let keptExtras: [ResourceStatus]

    /// Plans the changes that make `statuses` Synced. Creates and updates come parents first and
    /// after what they depend on; prunes come last, deepest first. An extra is pruned only when `prune` is on or its
    /// Directory says `prune: true`.
    public init(statuses: [ResourceStatus], desired: DesiredState, prune: Bool) {
        let pruningDirectories = Set(desired.resources.compactMap { resource -> ResourceID? in
            if case .directory(_, true) = resource.shape { return resource.id }
            return nil
        })
        var changes: [Step] = [], prunes: [Step] = [], kept: [ResourceStatus] = []
        for status in statuses {
            switch (status.sync, status.drift) {
            case (.synced, _): continue
            case (.unknown, _): changes.append(.blocked(status, status.message ?? "cannot be observed"))
            case (_, .missing): changes.append(.create(status.desired!, status.observed))
            case (_, .modified): changes.append(.update(status.desired!, status.observed))
            case (_, .extra):
                if prune || status.owner.map(pruningDirectories.contains) == true { prunes.append(.prune(status)) } else { kept.append(status) }
            case (.outOfSync, nil): continue
            }
        }
        steps = Self.ordered(changes) + prunes.sorted { $0.path > $1.path }
        keptExtras = kept
    }

    /// Changes by path (so folders come before what they hold), each moved after the steps of
    /// what it depends on and of the folders above it. Revisions are checked to have no cycle
    /// in `dependsOn`; a loop made with folders is broken where it is found.
    static func ordered(_ changes: [Step]) -> [Step] {
        let sorted = changes.sorted { $0.path < $1.path }
        guard sorted.contains(where: { !$0.dependsOn.isEmpty }) else { return sorted }
        let byID = Dictionary(sorted.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let byPath = Dictionary(sorted.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        var placed = Set<ResourceID>(), visiting = Set<ResourceID>()
        var out: [Step] = []
        out.reserveCapacity(sorted.count)
        func place(_ step: Step) {
            guard !placed.contains(step.id), visiting.insert(step.id).inserted else { return }
            for ancestor in TargetPath.ancestors(of: step.path) { if let before = byPath[ancestor] { place(before) } }
            for id in step.dependsOn { if let before = byID[id] { place(before) } }
            visiting.remove(step.id)
            placed.insert(step.id)
            out.append(step)
        }
        for step in sorted { place(step) }
        return out
    }
}
