import DesiredState
import Foundation
import VersionSource

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
    /// Rules broken; an unusable policy or invalid manifests are reported here too, as reasons to
    /// fail rather than to pass unchecked.
    public let violations: [Violation]

    public init(proposal: ProposalBranch, base: String, title: String, author: String, ahead: Int, behind: Int,
                merge: Mirror.Merge, changes: [ResourceChange], violations: [Violation]) {
        self.proposal = proposal
        self.base = base
        self.title = title
        self.author = author
        self.ahead = ahead
        self.behind = behind
        self.merge = merge
        self.changes = changes
        self.violations = violations
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
    public func check(revision: String, head: String) async throws -> (changes: [ResourceChange], violations: [Violation]) {
        let (policy, problems) = try await policy(at: head)
        return try await verdict(of: revision, before: try? await desiredState(at: head), head: head, policy: policy, policyProblems: problems)
    }

    func review(_ proposal: ProposalBranch, head: String, before: DesiredState?, policy: Policy, policyProblems: [Diagnostic]) async throws -> ProposalReview {
        async let counts = mirror.aheadBehind(proposal.head, base: head)
        async let first = mirror.commits("\(head)..\(proposal.head)", reverse: true).first
        let merge = try await mirror.merge(head, proposal.head)
        let merged: String
        switch merge {
        case .clean(let tree): merged = tree
        case .conflict: merged = proposal.head
        }
        let (changes, violations) = try await verdict(of: merged, before: before, head: head, policy: policy, policyProblems: policyProblems)
        let (ahead, behind) = try await counts
        let opening = try await first
        return ProposalReview(proposal: proposal, base: head, title: opening?.subject ?? proposal.branch, author: opening?.author ?? "",
                              ahead: ahead, behind: behind, merge: merge, changes: changes, violations: violations)
    }

    /// The changes from `before` to the desired state of `revision` (a commit or a tree), and the
    /// rules they break; an unusable policy or invalid manifests count as violations.
    private func verdict(of revision: String, before: DesiredState?, head: String, policy: Policy,
                         policyProblems: [Diagnostic]) async throws -> ([ResourceChange], [Violation]) {
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
            return (changes, violations + (try await otherHostsProblems(at: revision, besides: [])))
        } catch let invalid as InvalidRevision {
            return ([], violations + invalid.diagnostics.map { Violation(rule: "manifests", resource: nil, message: "\($0)") }
                        + (try await otherHostsProblems(at: revision, besides: invalid.diagnostics)))
        }
    }

    /// Removing or emptying the head's `policy.yaml` is itself a violation: once merged, the
    /// change would have lifted every rule for the proposals after it.
    /// `policy` is the head's, already read: a head without rules has none to lift (and a head
    /// policy that cannot be read fails every proposal already).
    private func policyRemoval(by revision: String, policy: Policy) async throws -> [Violation] {
        guard !policy.rules.isEmpty else { return [] }
        guard let bytes = try await mirror.readFile(Policy.file, at: revision) else {
            return [Violation(rule: "policy", resource: nil, message: "removes \(Policy.file): every rule would be lifted for the changes after it")]
        }
        let (after, problems) = Policy.parse(bytes, file: Policy.file)
        guard after.rules.isEmpty else { return [] }
        let what = problems.first.map { "leaves \(Policy.file) unreadable (\($0))" } ?? "empties \(Policy.file)"
        return [Violation(rule: "policy", resource: nil, message: "\(what): all \(policy.rules.count) rule(s) would be lifted for the changes after it")]
    }

    /// What makes the revision invalid for the other hosts it has a `hosts/<host>.yaml` for: a
    /// template that renders on this host may break on another, and CI should say so. What this
    /// host's desired state already reported is not said again for each host.
    private func otherHostsProblems(at revision: String, besides reported: [Diagnostic]) async throws -> [Violation] {
        let known = Set(reported)
        var violations: [Violation] = []
        for host in try await hosts(at: revision) where host != config.host {
            do {
                _ = try await loader.load(revision: revision, host: host)
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
