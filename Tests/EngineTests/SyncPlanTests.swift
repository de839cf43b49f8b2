import Testing
import DesiredState
import Engine

/// The order and the choices of a sync: parents first, prunes last and deepest first, extras
/// pruned only when asked, unknowns blocked.
@Suite struct SyncPlanTests {
    static let origin = SourceLocation(file: "resources/a.yaml", line: 1, column: 1)
    static let blob = "0123456789abcdef0123456789abcdef01234567"

    func file(_ name: String, _ path: String, owner: ResourceID? = nil) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "File", name: name), path: path, shape: .file(blob: Self.blob, inline: nil, mode: 0o644),
                        sensitive: false, origin: Self.origin, owner: owner)
    }

    func directory(_ name: String, _ path: String, prune: Bool = false) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "Directory", name: name), path: path, shape: .directory(DirectorySpec(mode: 0o755, prune: prune)),
                        sensitive: false, origin: Self.origin)
    }

    /// An extra, by default one plumb applied (in its inventory).
    func extra(_ name: String, _ path: String, owner: ResourceID? = nil, applied: Bool = true) -> ResourceStatus {
        ResourceStatus(id: ResourceID(kind: "File", name: name), path: path, sync: .outOfSync, drift: .extra, health: .healthy,
                       message: "an extra", desired: nil, observed: .file(blob: Self.blob, mode: 0o644, size: 1), owner: owner,
                       sensitive: false, appliedByPlumb: applied)
    }

    func state(_ resources: [DesiredResource]) -> DesiredState {
        DesiredState(revision: "abc", resources: resources, settings: Settings())
    }

    /// "word path" per step, the way `plumb sync --dry-run` lists them.
    func listing(_ plan: SyncPlan) -> [String] {
        plan.steps.map { "\($0.word) \($0.path)" }
    }

    @Test func createsAndUpdatesComeParentsFirst() {
        let etc = directory("etc", "etc"), app = directory("app", "etc/app"), conf = file("conf", "etc/app/app.conf")
        let dash = file("dash", "etc-old")
        let statuses: [ResourceStatus] = [
            .compare(conf, .absent),
            .compare(dash, .file(blob: "other", mode: 0o644, size: 1)),
            .compare(app, .directory(mode: 0o700)),
            .compare(etc, .absent),
        ]
        let plan = SyncPlan(statuses: statuses, desired: state([etc, app, conf, dash]), prune: false, targetRoot: "/srv/target")
        #expect(listing(plan) == ["create etc", "update etc-old", "update etc/app", "create etc/app/app.conf"])
        let etcIndex = plan.steps.firstIndex { $0.path == "etc" }!
        let childIndices = plan.steps.indices.filter { plan.steps[$0].path.hasPrefix("etc/") }
        #expect(childIndices.allSatisfy { $0 > etcIndex })
    }

    @Test func stepsCarryTheResourceAndWhatWasObserved() {
        let conf = file("conf", "etc/conf")
        let plan = SyncPlan(statuses: [.compare(conf, .file(blob: "other", mode: 0o600, size: 1))], desired: state([conf]), prune: false, targetRoot: "/srv/target")
        #expect(plan.steps == [.update(conf, .file(blob: "other", mode: 0o600, size: 1))])
        #expect(plan.steps.first?.id.description == "File/conf")
    }

    @Test func syncedResourcesNeedNoStep() {
        let conf = file("conf", "etc/conf")
        let plan = SyncPlan(statuses: [.compare(conf, .file(blob: Self.blob, mode: 0o644, size: 1))], desired: state([conf]), prune: true, targetRoot: "/srv/target")
        #expect(plan.steps.isEmpty)
        #expect(plan.keptExtras.isEmpty)
    }

    @Test func prunesComeLastDeepestFirst() {
        let conf = file("conf", "zzz/conf")
        let statuses: [ResourceStatus] = [
            extra("old", "old"),
            extra("old-file", "old/sub/file"),
            .compare(conf, .absent),
            extra("old-sub", "old/sub"),
            extra("aaa", "aaa"),
        ]
        let plan = SyncPlan(statuses: statuses, desired: state([conf]), prune: true, targetRoot: "/srv/target")
        #expect(listing(plan) == ["create zzz/conf", "prune old/sub/file", "prune old/sub", "prune old", "prune aaa"])
        #expect(plan.keptExtras.isEmpty)
    }

    @Test func extrasAreKeptWithoutPrune() {
        let conf = file("conf", "etc/conf")
        let statuses: [ResourceStatus] = [extra("old", "etc/old"), .compare(conf, .absent)]
        let plan = SyncPlan(statuses: statuses, desired: state([conf]), prune: false, targetRoot: "/srv/target")
        #expect(listing(plan) == ["create etc/conf"])
        #expect(plan.keptExtras.map(\.path) == ["etc/old"])
    }

    @Test func extraInAPruningDirectoryIsPrunedWithoutThePruneFlag() {
        let site = directory("site", "srv/www", prune: true)
        let statuses: [ResourceStatus] = [
            .compare(site, .directory(mode: 0o755)),
            extra("site/stray.html", "srv/www/stray.html", owner: site.id),
            extra("elsewhere", "etc/elsewhere"),
        ]
        let plan = SyncPlan(statuses: statuses, desired: state([site]), prune: false, targetRoot: "/srv/target")
        #expect(listing(plan) == ["prune srv/www/stray.html"])
        #expect(plan.keptExtras.map(\.path) == ["etc/elsewhere"])
    }

    @Test func anExtraPlumbDidNotApplyIsPlannedAsKeptWithTheReason() {
        let site = directory("site", "srv/www", prune: true)
        let plan = SyncPlan(statuses: [extra("site/stray.html", "srv/www/stray.html", owner: site.id, applied: false)],
                            desired: state([site]), prune: true, targetRoot: "/srv/target")
        #expect(listing(plan) == ["keep srv/www/stray.html"])
        #expect(plan.steps.first?.planNote == SyncPlan.notPlumbs)
    }

    @Test func extraInADirectoryWithoutPruneIsKept() {
        let site = directory("site", "srv/www", prune: false)
        let statuses: [ResourceStatus] = [extra("site/stray.html", "srv/www/stray.html", owner: site.id)]
        let plan = SyncPlan(statuses: statuses, desired: state([site]), prune: false, targetRoot: "/srv/target")
        #expect(plan.steps.isEmpty)
        #expect(plan.keptExtras.map(\.path) == ["srv/www/stray.html"])
    }

    @Test func extraWhoseOwnerIsNoLongerDeclaredIsKept() {
        let statuses: [ResourceStatus] = [extra("site/stray.html", "srv/www/stray.html", owner: ResourceID(kind: "Directory", name: "site"))]
        let plan = SyncPlan(statuses: statuses, desired: state([]), prune: false, targetRoot: "/srv/target")
        #expect(plan.steps.isEmpty)
        #expect(plan.keptExtras.count == 1)
    }

    @Test func unknownIsBlockedWithItsReason() {
        let conf = file("conf", "etc/app/conf"), other = file("other", "a")
        let why = "etc is a symlink; plumb does not follow symlinks"
        let statuses: [ResourceStatus] = [.compare(conf, .unobservable(why)), .compare(other, .absent)]
        let plan = SyncPlan(statuses: statuses, desired: state([conf, other]), prune: true, targetRoot: "/srv/target")
        #expect(listing(plan) == ["create a", "blocked etc/app/conf"])
        guard case .blocked(let status, let reason)? = plan.steps.last else {
            Issue.record("expected the last step to be blocked, got \(plan.steps)")
            return
        }
        #expect(status.id.description == "File/conf")
        #expect(reason == why)
    }

    /// `dependsOn` moves a step after what it names, and after the folders above that; the rest
    /// keeps its order by path.
    @Test func aStepComesAfterWhatItDependsOnAndItsFolders() {
        let late = DesiredResource(id: ResourceID(kind: "File", name: "late"), path: "z/late.conf", shape: .file(blob: Self.blob, inline: nil, mode: 0o644),
                                   sensitive: false, origin: Self.origin)
        let z = directory("z", "z")
        let early = DesiredResource(id: ResourceID(kind: "File", name: "early"), path: "a/early.conf", shape: .file(blob: Self.blob, inline: nil, mode: 0o644),
                                    sensitive: false, origin: Self.origin, dependsOn: [late.id])
        let other = file("other", "b/other")
        let statuses: [ResourceStatus] = [.compare(early, .absent), .compare(other, .absent), .compare(z, .absent), .compare(late, .absent)]
        let plan = SyncPlan(statuses: statuses, desired: state([early, other, z, late]), prune: false, targetRoot: "/srv/target")
        #expect(listing(plan) == ["create z", "create z/late.conf", "create a/early.conf", "create b/other"])
    }

    // MARK: Services and Commands

    func service(_ name: String, restartOn: [ResourceID] = [], reloadOn: [ResourceID] = []) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "Service", name: name), path: "",
                        shape: .service(ServiceSpec(unit: name + ".service", state: .running, enabled: nil, reloadOn: reloadOn, restartOn: restartOn, probe: nil)),
                        sensitive: false, origin: Self.origin)
    }

    func command(_ name: String, onChangeOf: [ResourceID]) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "Command", name: name), path: "", shape: .command(CommandSpec(run: ["true"], onChangeOf: onChangeOf)),
                        sensitive: false, origin: Self.origin)
    }

    func running(_ unit: String) -> Observation {
        .unit(UnitState(unit: unit, load: "loaded", activity: .active, sub: "running", unitFile: "enabled", result: "success",
                        mainPID: 7, activeSince: nil, canReload: true))
    }

    /// "word id" per step.
    func chain(_ plan: SyncPlan) -> [String] { plan.steps.map { "\($0.word) \($0.id)" } }

    @Test func notificationsComeAfterWhatNotifiesThemAndChain() {
        let conf = file("conf", "etc/web.conf"), other = file("other", "etc/zzz")
        let web = service("web", restartOn: [conf.id])
        let note = command("note", onChangeOf: [web.id])
        let statuses: [ResourceStatus] = [.compare(note, .commandRun(nil)), .compare(web, running("web.service")),
                                          .compare(conf, .absent), .compare(other, .absent)]
        let plan = SyncPlan(statuses: statuses, desired: state([conf, other, web, note]), prune: false, targetRoot: "/srv/target")
        let steps = chain(plan)
        #expect(Set(steps) == ["create File/conf", "create File/other", "restart Service/web", "run Command/note"])
        #expect(steps.firstIndex(of: "create File/conf")! < steps.firstIndex(of: "restart Service/web")!)
        #expect(steps.firstIndex(of: "restart Service/web")! < steps.firstIndex(of: "run Command/note")!)
    }

    @Test func aRestartWinsOverAReloadAndNothingChangedNotifiesNothing() {
        let conf = file("conf", "etc/web.conf"), site = file("site", "srv/index.html")
        let web = service("web", restartOn: [conf.id], reloadOn: [site.id])
        let both = SyncPlan(statuses: [.compare(web, running("web.service")), .compare(conf, .absent), .compare(site, .absent)],
                            desired: state([conf, site, web]), prune: false, targetRoot: "/srv/target")
        #expect(chain(both).filter { $0.hasSuffix("Service/web") } == ["restart Service/web"])
        let reload = SyncPlan(statuses: [.compare(web, running("web.service")), .compare(site, .absent)],
                              desired: state([conf, site, web]), prune: false, targetRoot: "/srv/target")
        #expect(chain(reload).filter { $0.hasSuffix("Service/web") } == ["reload Service/web"])
        let none = SyncPlan(statuses: [.compare(web, running("web.service"))], desired: state([conf, site, web]), prune: false, targetRoot: "/srv/target")
        #expect(none.steps.isEmpty)
    }

    @Test func aChangedUnitFileBringsADaemonReloadBeforeServiceSteps() {
        let unit = file("unit", "system/web.service")
        let web = service("web", restartOn: [unit.id])
        let statuses: [ResourceStatus] = [.compare(web, running("web.service")), .compare(unit, .absent)]
        let inUnitFolder = SyncPlan(statuses: statuses, desired: state([unit, web]), prune: false, targetRoot: "/etc/systemd")
        #expect(chain(inUnitFolder) == ["create File/unit", "daemon-reload systemd/daemon-reload", "restart Service/web"])
        let elsewhere = SyncPlan(statuses: statuses, desired: state([unit, web]), prune: false, targetRoot: "/srv/target")
        #expect(chain(elsewhere) == ["create File/unit", "restart Service/web"])
    }
}
