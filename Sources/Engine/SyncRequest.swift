import DesiredState
import Foundation

/// A sync asked of whichever engine holds the state dir: run here when the lock is free, handed
/// to the running agent (or console) when it holds it, waited for when another sync holds it.
public struct SyncRequest: Codable, Sendable {
    public var ids: [String]?
    public var prune = false
    public var allowEmpty = false
    public var acceptRewrite = false
    public var fetch = true

    public init(_ options: SyncOptions) {
        ids = options.ids?.map(\.description)
        prune = options.prune
        allowEmpty = options.allowEmpty
        acceptRewrite = options.acceptRewrite
        fetch = options.fetch
    }

    /// The options to run it with, under the lock its runner holds.
    func options(holding lock: EngineLock) -> SyncOptions {
        var options = SyncOptions(ids: ids?.compactMap(ResourceID.init))
        options.prune = prune
        options.allowEmpty = allowEmpty
        options.acceptRewrite = acceptRewrite
        options.fetch = fetch
        options.heldLock = lock
        return options
    }
}

/// What a sync did, in a form that crosses processes: what `plumb sync` prints, wherever it ran.
public struct SyncSummary: Codable, Sendable {
    /// How a step ended: planned (a dry run), done, skipped (kept, and why) or failed.
    public enum Outcome: String, Codable, Sendable { case planned, done, skipped, failed }

    public struct Change: Codable, Sendable {
        public let id: String
        public let path: String
        /// What the step does: a `SyncPlan.Action` word (create, update, prune, restart, run ...).
        public let change: String
        public let result: Outcome
        public let message: String?
    }

    public struct Extra: Codable, Sendable {
        public let id: String
        public let path: String
    }

    public let revision: String
    public let dryRun: Bool
    /// Whether the sync made `revision` the applied revision.
    public let applied: Bool
    public let changes: [Change]
    /// Extras left alone because pruning was not asked for.
    public let extrasKept: [Extra]
    /// Why the sync was refused (it changed nothing), when it was.
    public let refusal: String?

    public var failures: [Change] { changes.filter { $0.result == .failed } }

    public init(_ report: SyncReport, dryRun: Bool) {
        revision = report.revision
        self.dryRun = dryRun
        applied = report.applied
        // A sync has one outcome per step, in the plan's order (none for a dry run).
        let outcomes = report.outcomes.count == report.plan.steps.count ? report.outcomes : nil
        changes = report.plan.steps.enumerated().map { index, step in
            let outcome = outcomes?[index]
            let (result, message): (Outcome, String?) = switch outcome?.result {
            case .done(let message)?: (.done, message)
            case .skipped(let why)?: (.skipped, why)
            case .failed(let why)?: (.failed, why)
            case nil: (.planned, step.planNote)
            }
            return Change(id: step.id.description, path: step.path, change: step.word, result: result, message: message)
        }
        extrasKept = report.plan.keptExtras.map { Extra(id: $0.id.description, path: $0.path) }
        refusal = nil
    }

    init(refusal: String) {
        (revision, dryRun, applied, changes, extrasKept) = ("", false, false, [], [])
        self.refusal = refusal
    }
}

extension Engine {
    /// Runs a sync wherever it can run: here when the state dir's lock is free; handed to the
    /// engine holding it when that one takes requests (the agent); else after waiting for the
    /// holder to finish. `notice` is told which, in one sentence, before the wait.
    public func requestSync(_ options: SyncOptions, notice: @Sendable (String) -> Void) async throws -> SyncSummary {
        if options.dryRun { return SyncSummary(try await sync(options), dryRun: true) }
        var options = options
        do {
            options.heldLock = try EngineLock(path: config.stateDir.lock)
        } catch let busy as EngineLock.Busy where busy.holder.takesRequests {
            notice("\(busy.holder); the sync is handed to it")
            switch try await handOver(SyncRequest(options)) {
            case .answered(let summary): return summary
            case .holderGone(let lock):
                notice("it stopped before taking the sync; syncing here")
                options.heldLock = lock
            }
        } catch let busy as EngineLock.Busy {
            notice("\(busy.holder); waiting for it to finish")
            let path = config.stateDir.lock
            options.heldLock = try await Task.detached { try EngineLock(path: path, wait: true) }.value
        }
        return SyncSummary(try await sync(options), dryRun: false)
    }

    private enum HandOver {
        case answered(SyncSummary)
        /// The holder stopped without answering: the lock is free and now this process's.
        case holderGone(EngineLock)
    }

    /// Submits the request, wakes the holder and waits for its answer, or for the holder to go
    /// away (the request is then withdrawn). Cancelled while waiting, the request is withdrawn if
    /// the holder has not taken it yet.
    private func handOver(_ request: SyncRequest) async throws -> HandOver {
        let id = try store.submit(request)
        config.stateDir.wakeEngine()
        func answered() throws -> SyncSummary? {
            guard let summary = try store.answer(to: id) else { return nil }
            if let refusal = summary.refusal { throw StateError(refusal) }
            return summary
        }
        do {
            while true {
                if let summary = try answered() { return .answered(summary) }
                if let lock = try? EngineLock(path: config.stateDir.lock) {
                    // It may have answered just before it stopped.
                    if let summary = try answered() { return .answered(summary) }
                    _ = try store.withdraw(id, evenIfTaken: true)
                    return .holderGone(lock)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
        } catch is CancellationError {
            let withdrawn = (try? store.withdraw(id, evenIfTaken: false)) ?? false
            throw StateError(withdrawn ? "cancelled; the sync request was withdrawn before the agent took it"
                                       : "cancelled; the agent has taken the sync already and finishes it (see plumb events)")
        }
    }

    /// Carries out the sync requests handed to this engine, oldest first, answering each.
    /// Never throws: a refused sync is the requester's answer.
    func serveRequests(holding lock: EngineLock) async {
        while let (id, request) = try? store.takeRequest() {
            let summary: SyncSummary
            do {
                summary = SyncSummary(try await sync(request.options(holding: lock)), dryRun: false)
            } catch {
                summary = SyncSummary(refusal: "\(error)")
            }
            try? store.answer(id, with: summary)
        }
    }
}
