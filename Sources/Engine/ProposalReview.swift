import DesiredState
import Foundation
import VersionSource

/// A revision (or a merge result) judged by the branch head's policy: what it changes, the rules
/// it breaks and the checks it fails (both in `violations`), and what each check said.
public struct PolicyVerdict: Sendable {
    public let changes: [ResourceChange]
    public let violations: [Violation]
    public let checks: [CheckRun]
}

/// What merging a proposal into the branch would do, and whether it may: mergeability, the
/// resource-level plan, and the verdict of the branch head's policy.
public struct ProposalReview: Sendable {
    public let proposal: ProposalBranch
    /// The branch head it was reviewed against.
    public let base: String
    /// The subject and author of the proposal's first commit.
    public let title: String
    public let author: String
    public let ahead: Int
    public let behind: Int
    public let merge: Mirror.Merge
    /// Create, update, delete per resource, between the base and the merge (or the proposal
    /// alone, when the merge conflicts).
    public let changes: [ResourceChange]
    /// Rules broken and checks failed; an unusable policy or invalid manifests are reported here
    /// too, as reasons to fail rather than to pass unchecked.
    public let violations: [Violation]
    /// What each of the head policy's `checks:` said of the merged tree (none run on a conflict).
    public let checks: [CheckRun]

    public init(proposal: ProposalBranch, base: String, title: String, author: String, ahead: Int, behind: Int,
                merge: Mirror.Merge, changes: [ResourceChange], violations: [Violation], checks: [CheckRun] = []) {
        self.proposal = proposal
        self.base = base
        self.title = title
        self.author = author
        self.ahead = ahead
        self.behind = behind
        self.merge = merge
        self.changes = changes
        self.violations = violations
        self.checks = checks
    }

    public var mergeable: Bool { if case .clean = merge { return true } else { return false } }
    public var passesPolicy: Bool { violations.isEmpty }

    /// Every reason it cannot be approved, conflict first.
    public var refusals: [String] {
        var reasons: [String] = []
        if case .conflict(let paths) = merge {
            reasons.append("merging it into \(base.prefix(12)) conflicts in \(paths.isEmpty ? "some files" : paths.map(\.escapingControlCharacters).joined(separator: ", "))")
        }
        return reasons + violations.map(\.description)
    }
}

extension Engine {
    /// Reviews every proposal at the branch head, a few at a time; a failing one is journalled
    /// (`PolicyViolation`, once per proposal head).
    public func reviewProposals(head: String) async throws -> [ProposalReview] {
        let proposals = try await mirror.proposalBranches()
        try noticeProposals(proposals)
        let (policy, policyProblems) = try await policy(at: head)
        let before = try? await desiredState(at: head)
        var reviews: [ProposalReview] = []
        try await withThrowingTaskGroup(of: ProposalReview.self) { group in
            var pending = proposals[...]
            func next() {
                guard let proposal = pending.popFirst() else { return }
                group.addTask { try await self.review(proposal, head: head, before: before, policy: policy, policyProblems: policyProblems) }
            }
            for _ in 0..<4 { next() }
            while let review = try await group.next() {
                reviews.append(review)
                next()
            }
        }
        for review in reviews { try journalViolations(review) }
        return reviews.sorted { $0.proposal.name < $1.proposal.name }
    }

    /// A proposal by name (`NAME` or `proposal/NAME`), as the mirror holds it now.
    public func proposal(named name: String) async throws -> ProposalBranch {
        let proposals = try await mirror.proposalBranches()
        try noticeProposals(proposals)
        guard let proposal = proposals.first(where: { $0.name == name || $0.branch == name }) else {
            let names = proposals.map(\.branch)
            throw StateError("no proposal \(name.escapingControlCharacters) at \(config.source.url)" + (names.isEmpty ? " (there are none)" : "; open: \(names.joined(separator: ", "))"))
        }
        return proposal
    }

    /// Reviews one proposal (by name, as read from the mirror now) at the branch head.
    public func reviewProposal(named name: String, head: String) async throws -> ProposalReview {
        let proposal = try await proposal(named: name)
        let (policy, problems) = try await policy(at: head)
        return try await review(proposal, head: head, before: try? await desiredState(at: head), policy: policy, policyProblems: problems)
    }

    /// Validation and the head's policy for any revision, as a proposal would get them: what CI
    /// runs on a change before it is proposed.
    public func check(revision: String, head: String) async throws -> PolicyVerdict {
        let (policy, problems) = try await policy(at: head)
        return try await verdict(of: revision, before: try? await desiredState(at: head), head: head, policy: policy, policyProblems: problems)
    }

    func review(_ proposal: ProposalBranch, head: String, before: DesiredState?, policy: Policy, policyProblems: [Diagnostic]) async throws -> ProposalReview {
        async let counts = mirror.aheadBehind(proposal.head, base: head)
        async let first = mirror.commits("\(head)..\(proposal.head)", reverse: true).first
        let merge = try await mirror.merge(head, proposal.head)
        // A merge that conflicts has no tree to check: it is refused for the conflict.
        let merged: String, clean: Bool
        switch merge {
        case .clean(let tree): (merged, clean) = (tree, true)
        case .conflict: (merged, clean) = (proposal.head, false)
        }
        let verdict = try await verdict(of: merged, before: before, head: head, policy: policy, policyProblems: policyProblems,
                                        runningChecks: clean)
        let (ahead, behind) = try await counts
        let opening = try await first
        return ProposalReview(proposal: proposal, base: head, title: opening?.subject ?? proposal.branch, author: opening?.author ?? "",
                              ahead: ahead, behind: behind, merge: merge, changes: verdict.changes, violations: verdict.violations,
                              checks: verdict.checks)
    }

    /// The changes from `before` to the desired state of `revision` (a commit or a tree), the
    /// rules they break, and, when the rest passes, what the checks say of its tree; an unusable
    /// policy or invalid manifests count as violations.
    private func verdict(of revision: String, before: DesiredState?, head: String, policy: Policy,
                         policyProblems: [Diagnostic], runningChecks: Bool = true) async throws -> PolicyVerdict {
        var violations = policyProblems.map { Violation(rule: "policy", resource: nil, message: "\($0)") }
        violations += try await policyRemoval(by: revision, policy: policy)
        do {
            let after = try await desiredState(at: revision, journal: false)
            let changes = ResourceChange.between(before ?? DesiredState(revision: head, resources: [], settings: Settings()), after)
            if policyProblems.isEmpty {
                violations += policy.violations(of: after, changes: changes)
                if policy.readsContent {
                    let files = after.resources.filter { $0.kind == .file && !$0.sensitive }
                    violations += policy.contentViolations(of: after, contents: try await desiredContents(files))
                }
            }
            violations += try await otherHostsProblems(at: revision, besides: [], policy: policyProblems.isEmpty ? policy : Policy(), reported: violations)
            let checks = runningChecks && policyProblems.isEmpty ? try await runChecks(policy.checks, on: revision, head: head) : []
            return PolicyVerdict(changes: changes, violations: violations + checks.compactMap(\.violation), checks: checks)
        } catch let invalid as InvalidRevision {
            let manifests = invalid.diagnostics.map { Violation(rule: "manifests", resource: nil, message: "\($0)") }
            return PolicyVerdict(changes: [], violations: violations + manifests
                               + (try await otherHostsProblems(at: revision, besides: invalid.diagnostics, policy: Policy(), reported: [])),
                           checks: [])
        }
    }

    /// Removing or emptying the head's `policy.yaml` is itself a violation: once merged, the
    /// change would have lifted every rule for the proposals after it.
    /// `policy` is the head's, already read: a head without rules has none to lift (and a head
    /// policy that cannot be read fails every proposal already).
    private func policyRemoval(by revision: String, policy: Policy) async throws -> [Violation] {
        guard !policy.isEmpty else { return [] }
        guard let bytes = try await mirror.readFile(Policy.file, at: revision) else {
            return [Violation(rule: "policy", resource: nil, message: "removes \(Policy.file): every rule would be lifted for the changes after it")]
        }
        let (after, problems) = Policy.parse(bytes, file: Policy.file)
        guard after.isEmpty else { return [] }
        let what = problems.first.map { "leaves \(Policy.file) unreadable (\($0))" } ?? "empties \(Policy.file)"
        let lifted = [policy.rules.count > 0 ? "\(policy.rules.count) rule(s)" : nil, policy.checks.count > 0 ? "\(policy.checks.count) check(s)" : nil]
        return [Violation(rule: "policy", resource: nil, message: "\(what): all \(lifted.compactMap { $0 }.joined(separator: " and ")) would be lifted for the changes after it")]
    }

    /// What makes the revision invalid for the other hosts it has a `hosts/<host>.yaml` for, and
    /// the content rules their renderings break: a template that renders on this host may break
    /// on another, or render a secret there, and CI should say so. What this host's desired state
    /// already reported (`besides`, `reported`) is not said again for each host.
    private func otherHostsProblems(at revision: String, besides diagnostics: [Diagnostic], policy: Policy,
                                    reported: [Violation]) async throws -> [Violation] {
        let known = Set(diagnostics)
        var said = Set(reported)
        var violations: [Violation] = []
        for host in try await hosts(at: revision) where host != config.host {
            do {
                let rendered = try await loader.load(revision: revision, host: host)
                guard policy.readsContent else { continue }
                let files = rendered.resources.filter { $0.kind == .file && !$0.sensitive }
                for violation in policy.contentViolations(of: rendered, contents: try await desiredContents(files)) where said.insert(violation).inserted {
                    violations.append(Violation(rule: violation.rule, resource: violation.resource,
                                                message: "\(violation.message) on host \(host.escapingControlCharacters)"))
                }
            } catch let invalid as InvalidRevision {
                violations += invalid.diagnostics.filter { !known.contains($0) }
                    .map { Violation(rule: "manifests", resource: nil, message: "host \(host.escapingControlCharacters): \($0)") }
            }
        }
        return violations
    }

    /// The hosts a revision has values for: the names of `hosts/*.yaml`.
    public func hosts(at revision: String) async throws -> [String] {
        try await mirror.listTree(revision: revision).compactMap { entry in
            guard entry.path.hasPrefix(TemplateValues.hostsFolder), entry.path.hasSuffix(".yaml") else { return nil }
            let name = entry.path.dropFirst(TemplateValues.hostsFolder.count).dropLast(".yaml".count)
            return name.contains("/") || name.isEmpty ? nil : String(name)
        }.sorted()
    }

    /// Journals `ProposalOpened` for proposals not seen before, and remembers what is open now.
    /// Returns whether any proposal opened or moved since.
    @discardableResult
    func noticeProposals(_ proposals: [ProposalBranch]) throws -> Bool {
        let seen = try store.proposalsSeen()
        for proposal in proposals where seen[proposal.name] == nil {
            try store.append(Event(.proposalOpened, .info, revision: proposal.head, message: "\(proposal.branch) opened at \(proposal.head.prefix(12))"))
        }
        try store.saveProposalsSeen(Dictionary(proposals.map { ($0.name, $0.head) }, uniquingKeysWith: { a, _ in a }))
        return proposals.contains { seen[$0.name] != $0.head }
    }

    /// Journals `PolicyViolation` for each violation of a failing review, once per proposal head.
    public func journalViolations(_ review: ProposalReview) throws {
        guard !review.passesPolicy, try store.markViolationsJournalled(name: review.proposal.name, head: review.proposal.head) else { return }
        for violation in review.violations.prefix(20) {
            try store.append(Event(.policyViolation, .warning, resource: violation.resource, revision: review.proposal.head,
                                   message: "\(review.proposal.branch): \(violation)"))
        }
    }
}
