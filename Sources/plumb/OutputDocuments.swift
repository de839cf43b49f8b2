import Console
import Engine
import Foundation
import VersionSource

// The JSON documents the commands print with `--json`, one type per shape SPEC fixes. Every key
// is always there: what is absent is `null` (`@Nullable`), except where a shape says a key is
// left out.

/// An optional written as `null` when absent, rather than left out.
@propertyWrapper
struct Nullable<Value: Encodable>: Encodable {
    var wrappedValue: Value?

    init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// `plumb status --json`.
struct StatusJSON: Encodable {
    struct Summary: Encodable { let synced, outOfSync, unknown: Int }

    let revision, branch, target, host: String
    let hostPreview: Bool
    /// With a trust root: whether the head's signature verifies, and by whom; null without one.
    @Nullable var signature: SignatureJSON?
    let summary: Summary
    let resources: [ResourceJSON]
}

/// The head's signature in `status --json`.
struct SignatureJSON: Encodable {
    let verified: Bool
    @Nullable var signer: String?
    @Nullable var problem: String?

    init(_ verdict: SignatureVerdict) {
        verified = verdict.isVerified
        if case .verified(let who) = verdict { signer = who } else { signer = nil }
        problem = verdict.problem
    }
}

/// One resource of `status --json`.
struct ResourceJSON: Encodable {
    let id, kind, name: String
    /// null for what is not in the target (a Service, a Command).
    @Nullable var path: String?
    let sync: String
    @Nullable var drift: String?
    let health: String
    @Nullable var message: String?

    init(_ status: ResourceStatus) {
        (id, kind, name) = (status.id.description, status.id.kind, status.id.name)
        path = status.isInTarget ? (status.path.isEmpty ? "." : status.path) : nil
        (sync, drift, health, message) = (status.sync.rawValue, status.drift?.rawValue, status.health.rawValue, status.message)
    }
}

/// One event of `plumb events --json`, a line each.
struct EventJSON: Encodable {
    let time, level, reason: String
    @Nullable var resource: String?
    @Nullable var revision: String?
    let message: String

    init(_ event: Event) {
        (time, level, reason) = (event.timestamp, event.level.rawValue, event.reason.rawValue)
        (resource, revision, message) = (event.resource, event.revision, event.message)
    }
}

/// One commit of `plumb history --json`.
struct CommitJSON: Encodable {
    let sha, short, author, time, subject: String
    let applied: Bool
    @Nullable var rollbackOf: String?
    @Nullable var approvedBy: String?

    init(_ commit: Commit, applied: String?) {
        (sha, short, author, time, subject) = (commit.sha, commit.short, commit.author, commit.time.formatted(.iso8601), commit.subject)
        self.applied = commit.sha == applied
        (rollbackOf, approvedBy) = (commit.rollbackOf, commit.approvedBy)
    }
}

/// One proposal of `plumb proposals --json`.
struct ProposalJSON: Encodable {
    struct Change: Encodable { let id, change: String }

    let name, head, title, author: String
    let ahead, behind: Int
    /// `clean` or `conflict`; `pass` or `fail`.
    let mergeable, policy: String
    let violations: [String]
    let changes: [Change]

    init(_ review: ProposalReview) {
        (name, head, title, author) = (review.proposal.name, review.proposal.head, review.title, review.author)
        (ahead, behind) = (review.ahead, review.behind)
        mergeable = review.mergeable ? "clean" : "conflict"
        policy = review.passesPolicy ? "pass" : "fail"
        violations = review.violations.map(\.description)
        changes = review.changes.map { Change(id: $0.id.description, change: $0.change.rawValue) }
    }
}

/// `plumb sync --json`. A change's `message` is left out when it has none.
struct SyncJSON: Encodable {
    struct Change: Encodable {
        let id, path, change: String
        let result: SyncSummary.Outcome
        let message: String?
    }

    let revision: String
    let dryRun, applied: Bool
    let changes: [Change]
    let extrasKept: [String]

    init(_ summary: SyncSummary) {
        (revision, dryRun, applied) = (summary.revision, summary.dryRun, summary.applied)
        changes = summary.changes.map { Change(id: $0.id, path: $0.path, change: $0.change, result: $0.result, message: $0.message) }
        extrasKept = summary.extrasKept.map(\.id)
    }
}

/// One theme of `plumb themes --json`: `shadowed` for a theme that reads, `error` for one that
/// does not; the other is left out.
struct ThemeJSON: Encodable {
    let name, source: String
    let valid: Bool
    let shadowed: Bool?
    let error: String?
}
