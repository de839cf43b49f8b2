import Foundation
import DesiredState
import VersionSource

/// Where the engine reads from and writes to.
public struct EngineConfig: Sendable {
    public let source: SourceRef
    public let target: String
    public let stateDir: StateDirectory

    public init(source: SourceRef, target: String, stateDir: StateDirectory) {
        self.source = source
        self.target = target
        self.stateDir = stateDir
    }
}

/// Desired against actual at one moment.
public struct Snapshot: Sendable {
    public let head: String
    public let applied: String?
    public let desired: DesiredState
    /// Every declared resource and every extra, sorted by path.
    public let statuses: [ResourceStatus]

    public func count(_ sync: SyncStatus) -> Int { statuses.reduce(0) { $0 + ($1.sync == sync ? 1 : 0) } }
    public var allSynced: Bool { statuses.allSatisfy { $0.sync == .synced } }
}

/// The reconciliation engine: reads desired state from the mirror, observes the target, journals,
/// and applies. Commands and (later) the console and the agent all drive this one type.
public final class Engine: Sendable {
    public let config: EngineConfig
    public let store: StateStore
    public let mirror: Mirror
    public let target: TargetFileSystem
    let loader: DesiredStateLoader

    public init(config: EngineConfig) async throws {
        self.config = config
        target = try TargetFileSystem(root: config.target)
        try config.stateDir.prepare(target: target.root)
        do {
            store = try StateStore(path: config.stateDir.database)
        } catch {
            throw StateError("cannot open the state database \(config.stateDir.database): \(error)")
        }
        mirror = Mirror(source: config.source, path: config.stateDir.mirror)
        loader = DesiredStateLoader(mirror: mirror, cache: store)
        try await mirror.create()
    }

    // MARK: Reading the source

    /// Fetches the source and returns the branch head; journals `NewRevision` when the head moved
    /// and `FetchFailed` (once per distinct failure) when the source cannot be read.
    public func fetch() async throws -> String {
        do {
            try await mirror.fetch()
        } catch {
            let message = "\(error)"
            if try store.meta(.lastFetchError) != message {
                try store.append(Event(.fetchFailed, .error, message: message))
                try store.setMeta(.lastFetchError, message)
            }
            throw error
        }
        try store.setMeta(.lastFetchError, nil)
        return try await currentHead()
    }

    /// The branch head as last fetched, without fetching.
    public func currentHead() async throws -> String {
        guard let head = try await mirror.head() else {
            throw GitError("branch \(config.source.branch) has not been fetched from \(config.source.url) yet; run without --no-fetch")
        }
        let previous = try store.meta(.lastSeenHead)
        if previous != head {
            let was = previous.map { " (was \($0.prefix(12)))" } ?? ""
            try store.append(Event(.newRevision, .info, revision: head, message: "\(config.source.branch) is at \(head.prefix(12))\(was)"))
            try store.setMeta(.lastSeenHead, head)
        }
        return head
    }

    /// The desired state of a revision; an invalid one journals `ManifestInvalid` (once) and throws.
    public func desiredState(at revision: String) async throws -> DesiredState {
        if let cached = store.cachedDesiredState(revision: revision, path: config.source.path) { return cached }
        do {
            let state = try await loader.load(revision: revision)
            try store.storeDesiredState(state, path: config.source.path)
            return state
        } catch let invalid as InvalidRevision {
            if try store.meta(.lastInvalidRevision) != revision {
                for diagnostic in invalid.diagnostics.prefix(20) {
                    try store.append(Event(.manifestInvalid, .error, revision: revision, message: diagnostic.description))
                }
                try store.setMeta(.lastInvalidRevision, revision)
            }
            throw invalid
        }
    }

    // MARK: Observing

    /// Desired against actual: every declared resource, then the extras (applied earlier and no
    /// longer declared, or present under a Directory's source without being in it).
    public func observe(_ desired: DesiredState) throws -> [ResourceStatus] {
        let observer = Observer(fs: target, cache: try store.statCache())
        let declared = desired.resources.map { ResourceStatus.compare($0, observer.observe($0.path)) }
        let declaredPaths = Set(desired.resources.map(\.path))
        let declaredIDs = Set(desired.resources.map(\.id.description))
        var extras: [ResourceStatus] = []
        var extraPaths = Set<String>()
        for entry in try store.inventory(where: { !declaredIDs.contains($0) }) where !declaredPaths.contains(entry.path) {
            let observed = observer.observe(entry.path)
            if observed == .absent { continue }
            let owner = desired.resources.first { $0.kind == .directory && entry.path.hasPrefix($0.path + "/") }?.id
            extras.append(.extra(entry.id, path: entry.path, observed: observed, owner: owner, owned: true))
            extraPaths.insert(entry.path)
        }
        let owners = Set(desired.resources.compactMap(\.owner))
        for directory in desired.resources where owners.contains(directory.id) {
            var checked: [String: String?] = [:]
            guard target.blockingParent(of: directory.path + "/x", checked: &checked) == nil else { continue }
            for relative in target.listFiles(under: directory.path) where !relative.hasSuffix(".plumb-tmp") {
                let path = directory.path + "/" + relative
                guard !declaredPaths.contains(path), !extraPaths.contains(path) else { continue }
                let id = ResourceID(kind: ResourceKind.file.rawValue, name: "\(directory.id.name)/\(relative)")
                extras.append(.extra(id, path: path, observed: observer.observe(path), owner: directory.id, owned: false))
            }
        }
        if let updated = observer.updatedCache { try store.saveStatCache(updated) }
        return Self.merge(declared, extras.sorted { $0.path < $1.path })
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

    /// Fetches (unless told not to), reads the head's desired state and observes the target.
    public func snapshot(fetch: Bool) async throws -> Snapshot {
        let head = fetch ? try await self.fetch() : try await currentHead()
        let desired = try await desiredState(at: head)
        return Snapshot(head: head, applied: try store.meta(.appliedRevision), desired: desired, statuses: try observe(desired))
    }

    /// The bytes a file resource should hold: inline, or read from the mirror.
    public func desiredContents(_ resources: [DesiredResource]) async throws -> [String: [UInt8]] {
        var contents: [String: [UInt8]] = [:]
        var toRead: [String] = []
        for resource in resources {
            guard case .file(let blob, let inline, _) = resource.shape else { continue }
            if let inline { contents[blob] = inline } else { toRead.append(blob) }
        }
        return contents.merging(try await mirror.readBlobs(toRead)) { a, _ in a }
    }
}
