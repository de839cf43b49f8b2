import Foundation
import DesiredState
import Logging
import Synchronization
import VersionSource

/// Where the engine reads from and writes to.
public struct EngineConfig: Sendable {
    public let source: SourceRef
    public let target: String
    public let stateDir: StateDirectory
    /// The host desired state is rendered for: `hosts/<host>.yaml`, `hosts:` globs, `host.name`.
    public let host: String
    /// Whether `host` is another machine's name (`status --host web2`): a preview of its desired
    /// state against this target.
    public var isOtherHost: Bool { host != HostFacts.ownName() }
    /// What a revision's signature must verify against before it is applied; nil: signatures are
    /// not asked for.
    public let trust: TrustRoot?
    /// The age identity file `decrypt: age` Files are decrypted with; nil: they stay Unknown.
    public let ageIdentity: String?

    public init(source: SourceRef, target: String, stateDir: StateDirectory, host: String? = nil, trust: TrustRoot? = nil,
                ageIdentity: String? = nil) {
        self.source = source
        self.target = target
        self.stateDir = stateDir
        self.host = host ?? HostFacts.ownName()
        self.trust = trust
        self.ageIdentity = ageIdentity
    }
}

/// Desired against actual at one moment.
public struct Snapshot: Sendable {
    public let head: String
    public let applied: String?
    /// What the target is compared with: the head's desired state, or the applied revision's
    /// while the head is invalid.
    public let desired: DesiredState
    /// Why the head is not used, when it is invalid.
    public var invalidHead: InvalidRevision?
    /// Every declared resource and every extra, sorted by path.
    public let statuses: [ResourceStatus]
    /// git's verdict on the head's signature against the trust root; nil without a trust root.
    public var headSignature: SignatureVerdict?

    public init(head: String, applied: String?, desired: DesiredState, invalidHead: InvalidRevision? = nil, statuses: [ResourceStatus]) {
        self.head = head
        self.applied = applied
        self.desired = desired
        self.invalidHead = invalidHead
        self.statuses = statuses
    }

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
    /// The desired state of the head as the last snapshot used it: while the head does not move,
    /// each pass shares it (and its resources) instead of decoding a copy from the cache, so the
    /// console and the engine hold one copy of 100,000 resources, not two.
    private let headDesired = Mutex<DesiredState?>(nil)
    /// Signature verdicts by revision: a commit's signature does not change, so it is verified once.
    private let verdicts = Mutex<[String: SignatureVerdict]>([:])
    /// Where each step's time goes, at debug level (`PLUMB_LOG=debug`).
    let logger = Logger(label: "plumb.engine")
    /// The plain text of `decrypt:` Files, in memory only.
    let secrets: Secrets

    /// `use`: what the state database is opened for (`StateStore.Use`).
    public init(config: EngineConfig, use: StateStore.Use = .running) async throws {
        self.config = config
        secrets = Secrets(identity: config.ageIdentity)
        target = try TargetFileSystem(root: config.target)
        try config.stateDir.prepare(target: target.root)
        let mirror = Mirror(source: config.source, path: config.stateDir.mirror)
        store = try await FileLock.holding(config.stateDir.setupLock, timeout: .seconds(60), for: "opening the state dir") {
            let store: StateStore
            do {
                store = try StateStore(path: config.stateDir.database, use: use)
            } catch let error as StateError {
                throw error
            } catch {
                throw StateError("cannot open the state database \(config.stateDir.database): \(error)")
            }
            try await mirror.create()
            return store
        }
        self.mirror = mirror
        loader = DesiredStateLoader(mirror: mirror, cache: store)
    }

    // MARK: Reading the source

    /// Why `revision` may not be applied for its signature, in a sentence that names it, the
    /// signer if any and the trust root; nil when no trust root is given or git verifies it.
    public func signatureProblem(of revision: String) async throws -> String? {
        guard let trust = config.trust, let verdict = try await signature(of: revision) else { return nil }
        return verdict.problem.map { "revision \(revision.prefix(12)) is not applied: \($0) (checked against \(trust))".escapingControlCharacters }
    }

    /// git's verdict on `revision`'s signature against the trust root, verified once per
    /// revision; nil without a trust root.
    public func signature(of revision: String) async throws -> SignatureVerdict? {
        guard let trust = config.trust else { return nil }
        if let known = verdicts.withLock({ $0[revision] }) { return known }
        let verdict = try await mirror.verifySignature(of: revision, against: trust)
        verdicts.withLock { $0[revision] = verdict }
        return verdict
    }

    /// Fetches the source into the mirror (`currentHead` then reads the head); journals
    /// `FetchFailed` (once per distinct failure) when the source cannot be read.
    /// `retryAt`, from a caller that tries again, is named in the event.
    public func fetch(retryAt: Date? = nil) async throws {
        do {
            try await mirror.fetch()
        } catch {
            let message = "\(error)"
            if try store.meta(.lastFetchError) != message {
                let retry = retryAt.map { "; next attempt at \($0.formatted(.iso8601))" } ?? ""
                try store.append(Event(.fetchFailed, .error, message: message + retry))
                try store.setMeta(.lastFetchError, message)
            }
            throw error
        }
        try store.setMeta(.lastFetchError, nil)
    }

    /// The revision last applied to the target; nil before the first sync.
    public func appliedRevision() throws -> String? { try store.meta(.appliedRevision) }

    /// Why the agent's last pass failed and when it tries again; nil when it did not fail.
    public func agentFailure() -> (error: String, retryAt: String)? {
        guard let error = try? store.meta(.agentError), let retryAt = try? store.meta(.agentRetryAt) else { return nil }
        return (error, retryAt)
    }

    /// The branch head as last fetched, without fetching.
    public func currentHead() async throws -> String {
        let previous = try store.meta(.lastSeenHead)
        guard let head = try await mirror.head(known: previous) else {
            throw GitError("branch \(config.source.branch) has not been fetched from \(config.source.url) yet; run without --no-fetch")
        }
        if previous != head {
            let was = previous.map { " (was \($0.prefix(12)))" } ?? ""
            try store.append(Event(.newRevision, .info, revision: head, message: "\(config.source.branch) is at \(head.prefix(12))\(was)"))
            try store.setMeta(.lastSeenHead, head)
        }
        return head
    }

    /// The desired state of a revision (or of a tree: merge results have no commit); an invalid
    /// one journals `ManifestInvalid` (once, unless `journal` is false: a proposal's problems are
    /// its review's, not the engine's) and throws.
    public func desiredState(at revision: String, journal: Bool = true) async throws -> DesiredState {
        if let cached = headDesired.withLock({ $0?.revision == revision ? $0 : nil }) { return cached }
        if let cached = store.cachedDesiredState(revision: revision, path: config.source.path, host: config.host) { return cached }
        do {
            let state = try await loader.load(revision: revision, host: config.host)
            try store.storeDesiredState(state, path: config.source.path, host: config.host)
            return state
        } catch let invalid as InvalidRevision where journal {
            if try store.meta(.lastInvalidRevision) != revision {
                for diagnostic in invalid.diagnostics.prefix(20) {
                    try store.append(Event(.manifestInvalid, .error, revision: revision, message: diagnostic.description))
                }
                try store.setMeta(.lastInvalidRevision, revision)
            }
            throw invalid
        }
    }

    /// The policy of a revision (the branch head's, for reviews): its rules, or the complaints
    /// that make it unusable. No `policy.yaml` is a policy without rules.
    public func policy(at revision: String) async throws -> (Policy, [Diagnostic]) {
        guard let bytes = try await mirror.readFile(Policy.file, at: revision) else { return (Policy(), []) }
        return Policy.parse(bytes, file: Policy.file)
    }

    /// Fetches (unless told not to), reads the head's desired state and observes the target.
    ///
    /// git runs while the target is observed against the desired state of the head seen last:
    /// when the head has not moved, which is nearly always, that observation is the answer.
    public func snapshot(fetch: Bool) async throws -> Snapshot {
        let clock = ContinuousClock()
        let start = clock.now
        async let headRead = { if fetch { try await self.fetch() }; return try await self.currentHead() }()
        async let statIndex = store.statIndex()
        var speculation: (DesiredState, [ResourceStatus])?
        if let expected = try store.meta(.lastSeenHead),
           let desired = headDesired.withLock({ $0?.revision == expected ? $0 : nil }) ?? store.cachedDesiredState(revision: expected, path: config.source.path, host: config.host) {
            speculation = (desired, try await observe(desired, statIndex: try await statIndex))
        }
        let head = try await headRead
        let observed = clock.now
        let desired: DesiredState, statuses: [ResourceStatus]
        var invalidHead: InvalidRevision?
        if let (guessed, seen) = speculation, guessed.revision == head {
            (desired, statuses) = (guessed, seen)
        } else {
            do {
                desired = try await desiredState(at: head)
            } catch let invalid as InvalidRevision {
                // plumb keeps the applied revision: show the target against it, and say why.
                guard let applied = try store.meta(.appliedRevision) else { throw invalid }
                invalidHead = invalid
                desired = try await desiredState(at: applied)
            }
            statuses = try await observe(desired, statIndex: try await statIndex)
        }
        headDesired.withLock { $0 = desired }
        logger.debug("snapshot of \(statuses.count) resources", metadata: [
            "observed while git ran": "\(speculation != nil)", "until head": "\(observed - start)", "total": "\(clock.now - start)",
        ])
        var snapshot = Snapshot(head: head, applied: try store.meta(.appliedRevision), desired: desired, invalidHead: invalidHead, statuses: statuses)
        do {
            snapshot.headSignature = try await signature(of: head)
        } catch {
            snapshot.headSignature = .bad("git could not verify it: \(error)")
        }
        return snapshot
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
