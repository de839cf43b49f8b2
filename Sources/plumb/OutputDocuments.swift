import Console
import Engine
import Foundation
import VersionSource

// The JSON documents the commands print with `--json`, one type per shape SPEC fixes. Every key
// is always there: what is absent is `null` (`@Nullable`), except where a shape says a key is
// left out.

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
    /// What each of the head policy's checks said of the merged tree.
    let checks: [CheckJSON]

    init(_ review: ProposalReview) {
        (name, head, title, author) = (review.proposal.name, review.proposal.head, review.title, review.author)
        (ahead, behind) = (review.ahead, review.behind)
        mergeable = review.mergeable ? "clean" : "conflict"
        policy = review.passesPolicy ? "pass" : "fail"
        violations = review.violations.map(\.description)
        changes = review.changes.map { Change(id: $0.id.description, change: $0.change.rawValue) }
        checks = review.checks.map(CheckJSON.init)
    }
}

/// One check's result: `passed`, the result in words (`exit 1`), and the tail of its output.
struct CheckJSON: Encodable {
    let name: String
    let passed: Bool
    let result, output: String

    init(_ run: CheckRun) {
        (name, passed, result, output) = (run.name, run.passed, run.result, run.output)
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
