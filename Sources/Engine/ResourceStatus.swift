import Foundation
import DesiredState
import VersionSource

/// SPEC's `sync` word.
public enum SyncStatus: String, Sendable, Codable { case synced = "Synced", outOfSync = "OutOfSync", unknown = "Unknown" }

/// SPEC's `drift` word, when OutOfSync.
public enum Drift: String, Sendable, Codable {
    /// git moved, not the target: a revision newer than the applied one added or changed it, and
    /// the target holds what plumb last applied there (or nothing, for a new resource).
    case pending
    case missing, modified, extra

    /// Whether it is drift of the target, which the agent journals (`DriftDetected`); pending is not.
    public var isTargetDrift: Bool { self != .pending }
}

/// SPEC's `health` word.
public enum Health: String, Sendable, Codable {
    case healthy = "Healthy", progressing = "Progressing", degraded = "Degraded"
    case missing = "Missing", suspended = "Suspended", unknown = "Unknown"

    /// Argo CD's order, best first: the header shows the worst, and a HealthChanged that goes
    /// up this list is a warning or an error, down it an info.
    public var rank: Int {
        switch self {
        case .healthy: return 0
        case .suspended: return 1
        case .progressing: return 2
        case .missing: return 3
        case .degraded: return 4
        case .unknown: return 5
        }
    }
}

/// Desired against actual for one resource. A class, so that lists of ten thousand of them are
/// passed around without copying each one's strings.
public final class ResourceStatus: Sendable, Hashable {
    public let id: ResourceID
    public let path: String
    public let sync: SyncStatus
    public let drift: Drift?
    public let health: Health
    /// Why it is not Synced, or else why it is not Healthy, in words; nil when both are fine.
    public let message: String?
    /// nil for an extra.
    public let desired: DesiredResource?
    public let observed: Observation
    /// For an extra: the Directory whose `source` it lies under, if any.
    public let owner: ResourceID?
    /// Content is never shown: declared `sensitive`, or applied as such before it became an extra.
    public let sensitive: Bool
    /// For an extra: whether plumb's inventory holds it (it applied it), so a prune may delete it.
    public let appliedByPlumb: Bool

    public init(id: ResourceID, path: String, sync: SyncStatus, drift: Drift?, health: Health, message: String?,
                desired: DesiredResource?, observed: Observation, owner: ResourceID?, sensitive: Bool, appliedByPlumb: Bool = false) {
        self.id = id
        self.path = path
        self.sync = sync
        self.drift = drift
        self.health = health
        self.message = message
        self.desired = desired
        self.observed = observed
        self.owner = owner
        self.sensitive = sensitive
        self.appliedByPlumb = appliedByPlumb
    }

    public static func == (a: ResourceStatus, b: ResourceStatus) -> Bool {
        a === b || (a.id == b.id && a.path == b.path && a.sync == b.sync && a.drift == b.drift && a.health == b.health
            && a.message == b.message && a.desired == b.desired && a.observed == b.observed && a.owner == b.owner
            && a.sensitive == b.sensitive && a.appliedByPlumb == b.appliedByPlumb)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(path)
    }

    public var kind: String { id.kind }

    /// A File, Directory or Symlink (a path of the target), not a Service or a Command.
    public var isInTarget: Bool { ResourceKind(rawValue: id.kind)?.isInTarget ?? true }

    /// Where it acts, for lists: its path, a Service's unit, a Command's argv.
    public var place: String {
        if let desired { return desired.place }
        if case .unit(let unit) = observed { return unit.unit }
        return path
    }

    /// Compares a desired resource with what the machine holds for it, as its kind's provider says.
    public static func compare(_ desired: DesiredResource, _ observed: Observation) -> ResourceStatus {
        let verdict = Providers.provider(for: desired.kind).verdict(desired, observed)
        return ResourceStatus(id: desired.id, path: desired.path, sync: verdict.sync, drift: verdict.drift, health: verdict.health,
                              message: verdict.message, desired: desired, observed: observed, owner: desired.owner, sensitive: desired.sensitive)
    }

    /// The same status as `pending`: the target is as plumb left it, and git moved.
    func pending(_ why: String) -> ResourceStatus {
        with(sync: .outOfSync, drift: .pending, health: health, message: why)
    }

    /// The same resource and observation with other words for it.
    func with(sync: SyncStatus, drift: Drift?, health: Health, message: String?) -> ResourceStatus {
        ResourceStatus(id: id, path: path, sync: sync, drift: drift, health: health, message: message, desired: desired,
                       observed: observed, owner: owner, sensitive: sensitive, appliedByPlumb: appliedByPlumb)
    }

    /// A resource plumb applied earlier (or found in a pruning Directory) that is no longer declared.
    /// `applied` is what the inventory says plumb wrote there, nil for a file it never wrote.
    public static func extra(_ id: ResourceID, path: String, observed: Observation, owner: ResourceID?, applied: InventoryEntry?) -> ResourceStatus {
        let why = applied != nil ? "no longer declared; plumb applied it earlier" : "not declared in the Directory's source"
        return ResourceStatus(id: id, path: path, sync: .outOfSync, drift: .extra, health: .healthy,
                              message: why, desired: nil, observed: observed, owner: owner, sensitive: applied?.sensitive ?? false,
                              appliedByPlumb: applied != nil)
    }
}

extension ResourceKind {
    var article: String {
        switch self {
        case .file: return "a file"
        case .directory: return "a directory"
        case .symlink: return "a symlink"
        case .service: return "a service"
        case .command: return "a command"
        }
    }
}

/// `0644`-style permission bits.
public func octal(_ mode: UInt32) -> String {
    let digits = String(mode, radix: 8)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
