import Foundation
import VersionSource

/// The newest commits of the branch at one head, kept in the state database: the same head always
/// has the same history, so `history -n 50` and the console's first page of history cost no git
/// while the branch has not moved.
public struct BranchHistory: Sendable, Equatable {
    /// How many commits are kept: the console's page of history.
    public static let depth = 200

    /// The head the commits were read from.
    public let head: String
    /// Its newest commits, newest first: `depth` of them, or fewer when `complete`.
    public let commits: [Commit]
    /// Whether `commits` is the whole history of the head.
    public let complete: Bool

    /// The commits of `skip` and `limit` (nil: all), when these commits hold all of them.
    func page(skip: Int, limit: Int?) -> ArraySlice<Commit>? {
        let end = limit.map { skip + $0 }
        guard complete || end.map({ $0 <= commits.count }) == true else { return nil }
        let start = min(skip, commits.count)
        return commits[start..<min(end ?? commits.count, commits.count)]
    }
}

extension Engine {
    /// The commits of the tracked branch, newest first, skipping `skip` and at most `limit` (nil:
    /// all), in batches to `each` as git writes them (`each` returns false to stop early). Read
    /// from the kept `BranchHistory` when the branch has not moved; a read from the start keeps
    /// the newest `BranchHistory.depth` commits for the next time.
    public func history(skip: Int = 0, limit: Int? = nil, each: ([Commit]) throws -> Bool) async throws {
        let head = try await currentHead()
        let known = store.branchHistory(head: head)
        if let page = known?.page(skip: skip, limit: limit) {
            if !page.isEmpty { _ = try each(Array(page)) }
            return
        }
        // Kept once per head: more than was kept is read again, never written again.
        let keeping = skip == 0 && known == nil
        var kept: [Commit] = []
        var delivered = 0
        var stopped = false
        let asked = limit.map { keeping ? max($0, BranchHistory.depth) : $0 }
        try await mirror.log(from: head, skip: skip, limit: asked) { commits in
            if keeping, kept.count < BranchHistory.depth { kept += commits.prefix(BranchHistory.depth - kept.count) }
            if !stopped {
                let wanted = limit.map { min(commits.count, $0 - delivered) } ?? commits.count
                if wanted > 0 {
                    delivered += wanted
                    stopped = try !each(Array(commits.prefix(wanted)))
                }
                if let limit, delivered >= limit { stopped = true }
            }
            return !stopped || (keeping && kept.count < BranchHistory.depth)
        }
        // git was asked for at least `depth` commits and read until there were that many: fewer
        // means it reached the first commit.
        if keeping {
            try? store.saveBranchHistory(BranchHistory(head: head, commits: kept, complete: kept.count < BranchHistory.depth))
        }
    }
}
