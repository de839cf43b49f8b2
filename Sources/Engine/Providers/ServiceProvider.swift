import DesiredState
import Foundation

/// Services: systemd units of this machine, driven through `Systemctl`. Health comes from the
/// unit (SPEC's table) and then from its probe, asked while the unit is up.
struct ServiceProvider: Provider {
    // MARK: Observe

    /// Every declared Service, in one `systemctl show`, their probes asked at once; then the
    /// Services plumb started or enabled that are no longer declared.
    func observe(_ scan: Scan) async throws -> [ResourceStatus] {
        let declared = scan.desired.resources.filter { $0.kind == .service }
        let ids = Set(declared.map(\.id))
        let extras = try scan.engine.store.inventory(where: { $0.hasPrefix(ResourceKind.service.rawValue + "/") }).filter { !ids.contains($0.id) }
        guard !declared.isEmpty || !extras.isEmpty else { return [] }
        let units = declared.map(Self.unit) + extras.map(\.path)
        var states: [String: UnitState] = [:]
        var problem = Systemctl.unavailable()
        if problem == nil {
            do { states = try await Systemctl.show(units) } catch { problem = "\(error)" }
        }
        let answers = await withTaskGroup(of: (String, ProbeResult).self) { group in
            for resource in declared {
                guard let probe = Self.spec(resource).probe, let state = states[Self.unit(resource)], state.isUp else { continue }
                group.addTask { (Self.unit(resource), await HealthProbe.ask(probe)) }
            }
            return await group.reduce(into: [String: ProbeResult]()) { $0[$1.0] = $1.1 }
        }
        func observation(_ unit: String) -> Observation {
            guard var state = states[unit] else { return .unobservable(problem ?? "systemctl said nothing of \(unit)") }
            state.probe = answers[unit]
            return .unit(state)
        }
        var statuses = declared.map { ResourceStatus.compare($0, observation(Self.unit($0))) }
        for entry in extras.sorted(by: { $0.id < $1.id }) {
            let observed = observation(entry.path)
            let why = entry.footprint.contains(.started) ? "no longer declared; plumb started it" : "no longer declared; plumb enabled it"
            statuses.append(ResourceStatus(id: entry.id, path: "", sync: .outOfSync, drift: .extra, health: observed.unitHealth,
                                           message: why, desired: nil, observed: observed, owner: nil, sensitive: false,
                                           appliedByPlumb: true))
        }
        return statuses
    }

    static func spec(_ resource: DesiredResource) -> ServiceSpec {
        guard case .service(let spec) = resource.shape else { preconditionFailure("\(resource.id) is not a Service") }
        return spec
    }

    static func unit(_ resource: DesiredResource) -> String { spec(resource).unit }

    // MARK: Compare

    func verdict(_ desired: DesiredResource, _ observed: Observation) -> Verdict {
        let spec = Self.spec(desired)
        guard case .unit(let unit) = observed else {
            if case .unobservable(let why) = observed { return Verdict(.unknown, nil, .unknown, why) }
            return Verdict(.unknown, nil, .unknown, "\(observed.noun) where a unit is expected")
        }
        guard unit.exists else { return Verdict(.outOfSync, .missing, .missing, "no unit \(unit.unit) on this machine") }
        var differences: [String] = []
        switch spec.state {
        case .running where !unit.isUp: differences.append("\(unit.words), declared running")
        case .stopped where unit.isUp || unit.activity == .deactivating: differences.append("\(unit.words), declared stopped")
        default: break
        }
        if spec.enabled == true && unit.isDisabled { differences.append("disabled, declared enabled") }
        if spec.enabled == false && unit.isEnabled { differences.append("enabled, declared disabled") }
        let (health, why) = Self.health(unit, declared: spec.state, probe: spec.probe)
        if differences.isEmpty { return Verdict(.synced, nil, health, why) }
        return Verdict(.outOfSync, .modified, health, differences.joined(separator: "; "))
    }

    /// SPEC's health of a Service: from the unit, then from its probe; and why, when not Healthy.
    static func health(_ unit: UnitState, declared: ServiceSpec.State, probe: Probe?) -> (Health, String?) {
        guard unit.exists else { return (.missing, "no unit \(unit.unit) on this machine") }
        switch unit.activity {
        case .failed: return (.degraded, unit.words)
        case .activating, .reloading, .deactivating, .refreshing: return (.progressing, unit.words)
        case .inactive, .maintenance: return declared == .stopped ? (.suspended, "stopped, as declared") : (.degraded, unit.words)
        case .active:
            guard let probe, let answer = unit.probe, !answer.passed else { return (.healthy, nil) }
            let failing = "probe \(probe.words) failed: \(answer.detail)"
            // In its start period a failing probe means it is still coming up.
            if let since = unit.activeSince, answer.at.timeIntervalSince(since) < Double(probe.startPeriod.components.seconds) {
                return (.progressing, failing + " (starting: \(probe.startPeriod.words) start period)")
            }
            return (.degraded, failing)
        }
    }

    func action(_ resource: DesiredResource, over observed: Observation, missing: Bool) -> SyncPlan.Action {
        let spec = Self.spec(resource)
        guard case .unit(let unit) = observed else { return spec.state == .running ? .start : .update }
        if spec.state == .running && !unit.isUp { return .start }
        if spec.state == .stopped && unit.isUp { return .stop }
        return .update
    }

    // MARK: Apply

    /// Enables or disables, then starts or stops, as declared; looks at the unit again first,
    /// since a daemon-reload of this sync may have brought it.
    func apply(_ resource: DesiredResource, over observed: Observation, with applier: inout Applier) async throws -> Applied {
        let spec = Self.spec(resource)
        guard let unit = try await Systemctl.show([spec.unit])[spec.unit], unit.exists else {
            throw StateError("no unit \(spec.unit) on this machine: install it, or declare its unit file as a File under etc/systemd/system")
        }
        var footprint = applier.inventory[resource.id]?.footprint ?? []
        var done: [String] = []
        var reason = Event.Reason.resourceUpdated
        if spec.enabled == true && unit.isDisabled {
            try await Systemctl.act("enable", spec.unit)
            footprint.insert(.enabled)
            done.append("enabled")
        } else if spec.enabled == false && unit.isEnabled {
            try await Systemctl.act("disable", spec.unit)
            footprint.remove(.enabled)
            done.append("disabled")
        }
        if spec.state == .running && !unit.isUp {
            try await Systemctl.act("start", spec.unit)
            footprint.insert(.started)
            applier.started.insert(resource.id)
            done.append("started")
            reason = .serviceStarted
        } else if spec.state == .stopped && (unit.isUp || unit.activity == .deactivating) {
            try await Systemctl.act("stop", spec.unit)
            footprint.remove(.started)
            done.append("stopped")
            reason = .serviceStopped
        }
        try record(resource, footprint, applier)
        return Applied(reason: reason, message: (done.isEmpty ? "nothing to change on" : done.joined(separator: " and ")) + " " + spec.unit)
    }

    /// Restarts or reloads after what notifies it changed; nothing for a unit declared stopped,
    /// or one this sync started (it read the new configuration then).
    func notify(_ resource: DesiredResource, _ action: SyncPlan.Action, after triggers: [ResourceID], with applier: inout Applier) async throws -> Applied {
        let spec = Self.spec(resource)
        let because = triggers.map(\.description).joined(separator: ", ") + " changed"
        if spec.state == .stopped { return Applied(reason: nil, message: "not \(action.past): \(spec.unit) is declared stopped") }
        if applier.started.contains(resource.id) { return Applied(reason: nil, message: "not \(action.past): this sync started \(spec.unit) after the change") }
        // A unit without ExecReload cannot reload: it is restarted, and the journal says so.
        var reload = action == .reload, note = ""
        if reload, try await Systemctl.show([spec.unit])[spec.unit]?.canReload == false {
            (reload, note) = (false, " (it cannot reload)")
        }
        try await Systemctl.act(reload ? "reload" : "restart", spec.unit)
        var footprint = applier.inventory[resource.id]?.footprint ?? []
        footprint.insert(.started)
        try record(resource, footprint, applier)
        return Applied(reason: reload ? .serviceReloaded : .serviceRestarted,
                       message: "\(reload ? "reloaded" : "restarted") \(spec.unit)\(note): \(because)")
    }

    /// Keeps what plumb did to the unit in the inventory, for a prune to undo.
    private func record(_ resource: DesiredResource, _ footprint: ServiceFootprint, _ applier: Applier) throws {
        guard !footprint.isEmpty else { return }
        try applier.store.record(InventoryEntry(id: resource.id, kind: .service, path: Self.unit(resource), blob: "",
                                                mode: footprint.rawValue, revision: applier.revision, sensitive: false))
    }

    static func daemonReload() async throws -> Applied {
        if let why = Systemctl.unavailable() { return Applied(reason: nil, message: "no daemon-reload: \(why)") }
        try await Systemctl.daemonReload()
        return Applied(reason: .resourceUpdated, message: "ran systemctl daemon-reload: unit files changed")
    }

    // MARK: Remove

    /// Stops a unit plumb started and disables one it enabled, now that it is no longer declared.
    func remove(_ status: ResourceStatus, entry: InventoryEntry, with applier: inout Applier) async throws -> SyncReport.Result {
        let unit = entry.path
        guard let state = try await Systemctl.show([unit])[unit], state.exists else {
            try applier.store.forget(status.id)
            return .done("no unit \(unit) any more")
        }
        var done: [String] = []
        if entry.footprint.contains(.started) && (state.isUp || state.activity == .deactivating) {
            try await Systemctl.act("stop", unit)
            done.append("stopped")
        }
        if entry.footprint.contains(.enabled) && state.isEnabled {
            try await Systemctl.act("disable", unit)
            done.append("disabled")
        }
        try applier.store.forget(status.id)
        let message = (done.isEmpty ? "forgot" : done.joined(separator: " and ")) + " \(unit): no longer declared"
        try applier.store.append(Event(done.contains("stopped") ? .serviceStopped : .resourcePruned, .info, resource: status.id,
                                       revision: applier.revision, message: message))
        return .done(message)
    }
}

extension Observation {
    /// The health of a unit no longer declared: what systemd says of it, without a probe.
    var unitHealth: Health {
        guard case .unit(let unit) = self else { return .unknown }
        return ServiceProvider.health(unit, declared: .running, probe: nil).0
    }
}
