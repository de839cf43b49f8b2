import DesiredState
import Foundation
import VersionSource

/// A rollback ready to be made: the commit to restore and what it changes, for the operator to
/// see before it is pushed.
public struct RollbackPlan: Sendable {
    /// The branch head the new commit will follow.
    public let head: String
    /// The revision whose tree comes back.
    public let restore: Commit
    public let changes: [ResourceChange]
    /// The head's policy on the rollback, judged as a proposal would be: empty when it passes.
    public let violations: [Violation]

    public init(head: String, restore: Commit, changes: [ResourceChange], violations: [Violation] = []) {
        self.head = head
        self.restore = restore
        self.changes = changes
        self.violations = violations
    }

    /// Why it is refused without a reason to override the policy; nil when it passes.
    public var policyRefusal: String? {
        guard !violations.isEmpty else { return nil }
        return "the rollback to \(restore.short) breaks the policy of \(head.prefix(12)); nothing pushed:\n"
            + violations.map { "  \($0)" }.joined(separator: "\n") + "\nRoll back anyway with --override-policy REASON"
    }
}

/// The operations that change the source, each by one new commit (or a branch deletion) pushed
/// with a plain push: approve, reject, roll back. Each is prepared first (checked, its plan
/// shown), then carried out pinned to exactly what was prepared.
extension Engine {
    /// Checks that `revision` can be rolled back to and says what it would change.
    public func planRollback(to revision: String) async throws -> RollbackPlan {
        let head = try await currentHead()
        guard let sha = try await mirror.resolve(revision) else {
            throw StateError("no revision \(revision.escapingControlCharacters) in \(config.source.branch) at \(config.source.url)")
        }
        guard try await mirror.isAncestor(sha, of: head) else {
            throw StateError("\(sha.prefix(12)) is not a revision of \(config.source.branch); roll back only to a commit the branch holds")
        }
        guard let restore = try await mirror.commits(sha, limit: 1).first else { throw StateError("cannot read revision \(sha.prefix(12))") }
        // An invalid revision is never rolled back to: its errors, not a verdict.
        _ = try await desiredState(at: sha, journal: false)
        if try await mirror.tree(of: sha) == mirror.tree(of: head) {
            throw StateError("\(config.source.branch) at \(head.prefix(12)) already holds the same files as \(sha.prefix(12)); nothing to roll back")
        }
        // Judged by the head's policy as a proposal is: a rollback can delete as much as any change.
        let verdict = try await check(revision: sha, head: head)
        return RollbackPlan(head: head, restore: restore, changes: verdict.changes, violations: verdict.violations)
    }

    /// Pushes a commit plumb made, unless a trust root is given and the commit does not verify
    /// against it: an agent with that root would never apply it, so it is not pushed at all.
    func publish(_ commit: String, replacing head: String, what: String) async throws {
        if let trust = config.trust, let verdict = try await signature(of: commit), let problem = verdict.problem {
            throw StateError("""
                \(what) \(commit.prefix(12)) is not pushed: \(problem), so plumb would not apply it (checked against \(trust)). \
                Sign your commits with a trusted key (git config commit.gpgSign true, gpg.format and user.signingkey) and try again
                """.escapingControlCharacters)
        }
        try await mirror.publish(commit, replacing: head)
    }

    /// Makes the rollback commit (tree of the restored revision, parent the head) and pushes it.
    /// Returns the new commit. If the branch moved at the source, nothing is changed. A plan that
    /// breaks the head's policy is refused unless `overridePolicy` gives the reason, which is
    /// journalled and written in the commit as `Policy-override:`.
    public func rollback(_ plan: RollbackPlan, overridePolicy reason: String? = nil) async throws -> String {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "\n", with: " ")
        if let refusal = plan.policyRefusal, (reason ?? "").isEmpty { throw StateError(refusal) }
        let who = try await mirror.identity()
        let override = plan.violations.isEmpty ? "" : "Policy-override: \(reason ?? "")\n"
        let message = """
            Roll back to \(plan.restore.short): \(plan.restore.subject)

            Rollback-of: \(plan.restore.sha)
            Requested-by: \(who)
            \(override)
            """
        let commit = try await mirror.commit(tree: try await mirror.tree(of: plan.restore.sha), parents: [plan.head], message: message)
        try await publish(commit, replacing: plan.head, what: "the rollback")
        if !plan.violations.isEmpty {
            try store.append(Event(.policyViolation, .warning, revision: commit, message: """
                \(who) overrode the policy to roll back to \(plan.restore.short) (\(reason ?? "")): \(plan.violations.map(\.description).joined(separator: "; "))
                """))
        }
        try store.append(Event(.rollbackCreated, .info, revision: commit, message: """
            \(who) rolled \(config.source.branch) back to \(plan.restore.short) as \(commit.prefix(12)): \(plan.changes.count) resource(s) change
            """))
        return commit
    }

    /// Merges a reviewed proposal: the merge commit of the reviewed branch head and proposal head,
    /// pushed; then the proposal branch is deleted at the source. Refused, with nothing changed,
    /// when the review has any refusal or the branch moved. Returns the merge commit and, when
    /// the branch could not be deleted, why.
    public func approve(_ review: ProposalReview) async throws -> (commit: String, branchKept: String?) {
        guard review.refusals.isEmpty, case .clean(let tree) = review.merge else {
            try journalViolations(review)
            throw StateError("\(review.proposal.branch) cannot be approved; nothing changed:\n" + review.refusals.map { "  \($0)" }.joined(separator: "\n"))
        }
        let who = try await mirror.identity()
        let message = """
            Approve \(review.proposal.branch): \(review.title)

            Approved-by: \(who)
            Proposal-head: \(review.proposal.head)

            """
        let commit = try await mirror.commit(tree: tree, parents: [review.base, review.proposal.head], message: message)
        try await publish(commit, replacing: review.base, what: "the merge")
        var kept: String?
        do {
            try await mirror.deleteBranch(review.proposal.branch, expected: review.proposal.head)
        } catch {
            kept = "\(error)"
        }
        try store.append(Event(.proposalApproved, .info, revision: commit, message: """
            \(who) approved \(review.proposal.branch) at \(review.proposal.head.prefix(12)) (\(review.title)); merged as \(commit.prefix(12))
            """))
        return (commit, kept)
    }

    /// Deletes a proposal branch at the source, while it is still at the head the operator saw,
    /// and journals why.
    public func reject(_ proposal: ProposalBranch, reason: String?) async throws {
        let who = (try? await mirror.identity()) ?? "an operator"
        try await mirror.deleteBranch(proposal.branch, expected: proposal.head)
        try store.append(Event(.proposalRejected, .info, revision: proposal.head, message: """
            \(who) rejected \(proposal.branch) at \(proposal.head.prefix(12))\(reason.map { ": \($0)" } ?? "")
            """))
    }
}
