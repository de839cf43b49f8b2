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

    /// Plans the changes that make `statuses` Synced. Creates and updates come parents first;
    /// prunes come last, deepest first. An extra is pruned only when `prune` is on or its
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
        steps = changes.sorted { $0.path < $1.path } + prunes.sorted { $0.path > $1.path }
        keptExtras = kept
    }
}
