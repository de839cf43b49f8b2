import Foundation
import DesiredState
import Engine

/// The lines of the detail pane, each with its role: diffs coloured by line, plans, verdicts.
/// Every text from git or the target is escaped here, before it reaches a cell.
enum DetailText {
    /// A unified diff: additions, deletions, hunk headers and file headers told apart.
    static func diff(_ lines: [String]) -> [(text: String, role: Role)] {
        guard !lines.isEmpty else { return [("no differences in content", .muted)] }
        return lines.map { line in
            let text = line.escapingControlCharacters
            if line.hasPrefix("+++") || line.hasPrefix("---") || line.hasPrefix("diff ") || line.hasPrefix("index ") { return (text, .muted) }
            if line.hasPrefix("@@") { return (text, .diffHunk) }
            if line.hasPrefix("+") { return (text, .diffAdd) }
            if line.hasPrefix("-") { return (text, .diffDel) }
            return (text, .normal)
        }
    }

    /// A commit, as tig shows it: who and when, the whole message with its trailers, then what
    /// it changes (or why its revision is invalid: it is never applied) and its diff.
    static func commit(_ detail: CommitDetail, width: Int) -> [(text: String, role: Role)] {
        let when = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().time(includingFractionalSeconds: false)
        let message = detail.message
        var lines: [(text: String, role: Role)] = [
            ("author     \(message.author.escapingControlCharacters)  \(message.authored.formatted(when)) UTC", .normal),
            ("committer  \(message.committer.escapingControlCharacters)  \(message.committed.formatted(when)) UTC", .muted),
            ("", .normal),
        ]
        for line in message.body.split(separator: "\n", omittingEmptySubsequences: false) {
            let text = "  " + String(line).escapingControlCharacters
            let trailer = ["Rollback-of:", "Approved-by:", "Proposal-head:", "Policy-override:", "Requested-by:"].contains { line.hasPrefix($0) }
            lines += DisplayWidth.wrap(text, to: width).map { ($0, trailer ? .info : .normal) }
        }
        lines.append(("", .normal))
        if detail.invalid.isEmpty {
            lines += changes(detail.changes)
        } else {
            lines.append(("this revision is invalid: plumb never applies it", .error))
            lines += detail.invalid.prefix(20).flatMap { DisplayWidth.wrap("  \($0)".escapingControlCharacters, to: width).map { ($0, Role.error) } }
        }
        return lines + [("", .normal)] + diff(detail.diff)
    }

    /// A plan, one resource a line: `  update  File/motd`.
    static func changes(_ changes: [ResourceChange]) -> [(text: String, role: Role)] {
        guard !changes.isEmpty else { return [("no resource changes", .muted)] }
        return changes.map { change in
            let role: Role = switch change.change { case .create: .missing; case .update: .drift; case .delete: .extra }
            return ("  \(DisplayWidth.padded(change.change.rawValue, to: 7)) \(change.id.description.escapingControlCharacters)", role)
        }
    }

    /// A proposal's review: who, how far, whether it merges, the policy verdict and the plan.
    static func review(_ review: ProposalReview) -> [(text: String, role: Role)] {
        var lines: [(String, Role)] = [
            ("\(review.title.escapingControlCharacters)", .title),
            ("by \(review.author.escapingControlCharacters) · head \(review.proposal.head.prefix(12)) · \(review.ahead) ahead, \(review.behind) behind of \(review.base.prefix(12))", .muted),
            (review.mergeable ? "merges cleanly" : "CONFLICTS with the branch", review.mergeable ? .synced : .error),
            (review.passesPolicy ? "policy passes" : "policy FAILS", review.passesPolicy ? .synced : .error),
        ]
        lines += review.refusals.map { ("  ✗ \($0)", .error) }
        lines += [("", .normal), ("plan:", .title)] + changes(review.changes)
        if !review.checks.isEmpty {
            lines += [("", .normal), ("checks (the branch head's policy, on the merged tree):", .title)]
            for check in review.checks {
                lines.append(("  \(check.passed ? "✓" : "✗") \(check.name.escapingControlCharacters): \(check.result)", check.passed ? .synced : .error))
                if !check.passed { lines += check.lastLines(12).map { ("      \($0)", .muted) } }
            }
        }
        return lines
    }
}

/// The dialogs before destructive actions: each says what will happen, to which head, and
/// carries the exact effect a `y` runs.
enum Dialogs {
    static let footer: (String, Role) = ("y: confirm    any other key: cancel", .key)

    /// `:messages`: the footer's newest messages whole, wrapped by the box; any key closes it.
    static func messages(_ messages: [(time: Date, text: String, role: Role)], now: Date) -> Dialog {
        let shown = messages.suffix(10).map { message in
            ("\(message.time.formatted(EventList.time))  \(message.text.escapingControlCharacters)", message.role == .muted ? Role.normal : message.role)
        }
        let more = messages.count > shown.count ? [("(\(messages.count - shown.count) older not shown)", Role.muted)] : []
        return Dialog(title: "Messages", lines: more + (shown.isEmpty ? [("no messages yet", .muted)] : shown) + [("", .normal), ("any key: close", .key)],
                      confirm: nil)
    }

    static func syncAll(_ summary: SyncSummary, branch: String) -> Dialog {
        let changes = summary.changes.flatMap { change -> [(String, Role)] in
            let action = SyncPlan.Action(rawValue: change.change)
            let role: Role = switch action { case .create?: .missing; case .update?: .drift; case .prune?, .purge?: .extra; case .keep?: .muted; case .blocked?, nil: .error; default: .warning }
            let line = ("  \(DisplayWidth.padded(change.change, to: 7)) \(change.id.escapingControlCharacters)", role)
            // What runs is shown before it runs (a Command's argv, a validator, what notifies a
            // restart), why an extra is kept, and that a purged file is saved first.
            let runs = [.run, .restart, .reload, .keep, .purge].contains(action) || change.message?.contains("validate:") == true
            guard runs, let note = change.message else { return [line] }
            return [line, ("            \(note.escapingControlCharacters)", .muted)]
        }
        let kept = summary.extrasKept.map { ("  keep    \($0.id.escapingControlCharacters) (extra; prune to delete)", Role.muted) }
        if changes.isEmpty {
            return Dialog(title: "Nothing to sync", lines: [("the target matches \(branch) at \(summary.revision.prefix(12))", .synced)] + kept, confirm: nil)
        }
        return Dialog(title: "Sync all: apply \(summary.revision.prefix(12)) of \(branch)?",
                      lines: changes + kept + [("", .normal), footer], confirm: .sync(ids: nil, prune: false))
    }

    /// What `s` on one resource asks before it deletes or writes over what is not plumb's: an
    /// extra (pruned, or purged when its Directory purges) and a hand edit; nil when it syncs at once.
    static func syncOne(_ status: ResourceStatus, ownerPurges: Bool) -> Dialog? {
        let id = status.id.description.escapingControlCharacters, place = status.place.escapingControlCharacters
        let title: String, lines: [(String, Role)], prune: Bool
        if overwrites(status) {
            title = "Overwrite \(id)?"
            lines = [("\(place) was changed in the target: \((status.message ?? "").escapingControlCharacters)", .drift),
                     ("a sync writes the declared content over it; what it holds now is saved in the state dir first", .muted)]
            prune = false
        } else if status.drift == .extra && !status.appliedByPlumb && ownerPurges {
            title = "Purge \(id)?"
            lines = [("delete \(place) from the target", .extra),
                     ("(plumb did not write it and its Directory purges: it is saved in the state dir first)", .muted)]
            prune = false
        } else if status.drift == .extra {
            title = "Prune \(id)?"
            lines = [("delete \(place) from the target", .extra),
                     ("(only if plumb applied it and it is unchanged since; else it is kept)", .muted)]
            prune = true
        } else {
            return nil
        }
        return Dialog(title: title, lines: lines + [("", .normal), footer], confirm: .sync(ids: [status.id], prune: prune))
    }

    /// Whether a sync of it would write over content the target holds that differs from what is
    /// declared (a hand edit, or another type at its path), not only set a mode or an owner.
    static func overwrites(_ status: ResourceStatus) -> Bool {
        guard status.drift == .modified, let desired = status.desired, desired.kind.isInTarget else { return false }
        switch (desired.shape, status.observed) {
        case (.file(let blob, _, _), .file(let actual, _, _)): return blob != actual
        case (.directory, .directory): return false
        case (.symlink(let target), .symlink(let actual)): return target != actual
        default: return true
        }
    }

    /// The rollback's plan, and `y` to push it; a plan that breaks the head's policy is shown
    /// with why, and `y` asks the reason to override it (then the dialog again, with the reason).
    static func rollback(_ plan: RollbackPlan, branch: String) -> Dialog {
        guard plan.violations.isEmpty else {
            return Dialog(title: "Rolling back to \(plan.restore.short) breaks the policy", lines: plan.violations.map { ("✗ \($0)".escapingControlCharacters, Role.error) }
                + [("", .normal)] + DetailText.changes(plan.changes)
                + [("", .normal), ("y: override the policy, giving a reason    any other key: cancel", .key)], confirm: nil, overrides: plan)
        }
        return Dialog(title: "Roll back \(branch) to \(plan.restore.short)?", lines: [
            ("a new commit on \(branch) after \(plan.head.prefix(12)), with the files of \(plan.restore.short):", .normal),
            ("  \(plan.restore.subject.escapingControlCharacters)", .muted),
            ("pushed to the source; the history is kept", .muted),
            ("", .normal),
        ] + DetailText.changes(plan.changes) + [("", .normal), footer], confirm: .rollback(plan, overridePolicy: nil))
    }

    static func approve(_ review: ProposalReview, branch: String) -> Dialog {
        let what = "\(review.proposal.branch.escapingControlCharacters) at \(review.proposal.head.prefix(12))"
        guard review.refusals.isEmpty else {
            return Dialog(title: "\(what) cannot be approved", lines: review.refusals.map { ("✗ \($0)", Role.error) }
                + [("", .normal), ("any key: close", .key)], confirm: nil)
        }
        return Dialog(title: "Approve \(what)?", lines: [
            ("merges into \(branch) at \(review.base.prefix(12)), pushes, deletes the branch", .normal),
            ("exactly this head is merged, even if the proposal moves meanwhile", .muted),
            ("policy passes", .synced),
            ("", .normal),
        ] + DetailText.changes(review.changes) + [("", .normal), footer], confirm: .approve(review))
    }

    /// The last question before a rollback that overrides the policy, with the reason given.
    static func overridingRollback(_ plan: RollbackPlan, branch: String, reason: String) -> Dialog {
        Dialog(title: "Roll back \(branch) to \(plan.restore.short), overriding the policy?", lines: plan.violations.map { ("✗ \($0)".escapingControlCharacters, Role.error) } + [
            ("", .normal),
            ("reason: \(reason.escapingControlCharacters) (written as Policy-override: and journalled)", .muted),
            ("", .normal), footer,
        ], confirm: .rollback(plan, overridePolicy: reason))
    }

    static func reject(_ review: ProposalReview, reason: String) -> Dialog {
        Dialog(title: "Reject \(review.proposal.branch.escapingControlCharacters)?", lines: [
            ("delete the branch at the source (while it is still at \(review.proposal.head.prefix(12)))", .normal),
            ("reason: \(reason.escapingControlCharacters) (journalled in ProposalRejected)", .muted),
            ("", .normal), footer,
        ], confirm: .reject(review.proposal, reason: reason))
    }
}
