import DesiredState

/// One kind of resource's way with the machine: observe → compare → apply → remove, and for the
/// kinds that can be notified, act on a notification. The engine, the plan and the applier ask
/// the provider of each resource's kind, so a new kind (packages, users) is one new provider
/// beside these, named in `Providers.provider(for:)`.
protocol Provider: Sendable {
    /// The statuses of the scan's resources of its kinds (in the desired state's order), then of
    /// its extras: what it applied earlier that is no longer declared.
    func observe(_ scan: Scan) async throws -> [ResourceStatus]

    /// Desired against observed, in SPEC's words. Runs once per resource on every scan.
    func verdict(_ desired: DesiredResource, _ observed: Observation) -> Verdict

    /// What a create or update step of `resource` will do, in one word.
    func action(_ resource: DesiredResource, over observed: Observation, missing: Bool) -> SyncPlan.Action

    /// Makes the machine hold `resource`.
    func apply(_ resource: DesiredResource, over observed: Observation, with applier: inout Applier) async throws -> Applied

    /// Acts on a notification: something it watches changed in this sync.
    func notify(_ resource: DesiredResource, _ action: SyncPlan.Action, after triggers: [ResourceID], with applier: inout Applier) async throws -> Applied

    /// Removes an extra that plumb applied, if it is still as plumb left it.
    func remove(_ status: ResourceStatus, entry: InventoryEntry, with applier: inout Applier) async throws -> SyncReport.Result
}

extension Provider {
    func notify(_ resource: DesiredResource, _ action: SyncPlan.Action, after triggers: [ResourceID], with applier: inout Applier) async throws -> Applied {
        throw StateError("\(resource.id) cannot be notified")
    }

    func remove(_ status: ResourceStatus, entry: InventoryEntry, with applier: inout Applier) async throws -> SyncReport.Result {
        try applier.skipPrune(status, "plumb does not remove \(status.kind) resources")
    }
}

/// SPEC's words for one resource: its `sync`, `drift`, `health`, and why.
struct Verdict {
    let sync: SyncStatus
    let drift: Drift?
    let health: Health
    /// Why it is not Synced, or else why it is not Healthy; nil when both are fine.
    let message: String?

    init(_ sync: SyncStatus, _ drift: Drift?, _ health: Health, _ message: String?) {
        self.sync = sync
        self.drift = drift
        self.health = health
        self.message = message
    }

    static let synced = Verdict(.synced, nil, .healthy, nil)
}

/// What a step did, for its event and its outcome.
struct Applied {
    /// The event to journal; nil when the step had nothing to do.
    let reason: Event.Reason?
    let message: String
}

/// One observation of the machine: what every provider's `observe` may use.
struct Scan: Sendable {
    let engine: Engine
    let desired: DesiredState
    let statIndex: StatIndex?
}

/// The providers, one per kind of resource.
enum Providers {
    static let files = FileProvider()
    static let services = ServiceProvider()
    static let commands = CommandProvider()

    static func provider(for kind: ResourceKind) -> any Provider {
        switch kind {
        case .file, .directory, .symlink: return files
        case .service: return services
        case .command: return commands
        }
    }
}
