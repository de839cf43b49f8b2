import Foundation

/// A branch `proposal/<name>` in the mirror: commits offered to the tracked branch.
public struct ProposalBranch: Sendable, Hashable {
    public static let prefix = "proposal/"

    /// The part after `proposal/`.
    public let name: String
    public let head: String

    public init(name: String, head: String) {
        self.name = name
        self.head = head
    }

    public var branch: String { Self.prefix + name }
}

extension Mirror {
    /// Every `proposal/*` branch in the mirror, by name.
    public func proposalBranches() async throws -> [ProposalBranch] {
        let out = try await git.output(["for-each-ref", "--format=%(refname)%00%(objectname)", "refs/heads/proposal/"], what: "listing proposals")
        return out.stdout.split(separator: 10).compactMap { line in
            let parts = line.split(separator: 0, maxSplits: 1).map { String(decoding: $0, as: UTF8.self) }
            guard parts.count == 2 else { return nil }
            return ProposalBranch(name: String(parts[0].dropFirst("refs/heads/proposal/".count)), head: parts[1])
        }.sorted { $0.name < $1.name }
    }

    /// How many commits `revision` has that `base` lacks (ahead) and the reverse (behind).
    public func aheadBehind(_ revision: String, base: String) async throws -> (ahead: Int, behind: Int) {
        let out = try await git.output(["rev-list", "--left-right", "--count", "\(revision)...\(base)", "--"], what: "counting commits")
        let counts = out.text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        return (counts.first ?? 0, counts.count > 1 ? counts[1] : 0)
    }
}
