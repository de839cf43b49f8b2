import Foundation
import Testing
import TestSupport

/// `plumb history` of a branch that has not moved is read from what the state dir kept, with no
/// git; a moved branch, or more commits than were kept, is git's to read. A git that leaves a mark
/// and fails tells which.
@Suite struct BranchHistoryTests {
    let fx: PlumbFixture
    let failingGit: GitThatFails

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/a.yaml", "kind: File\nname: a\nspec:\n  path: a\n  content: a\n")
        try fx.source.commit("first")
        try fx.source.write("resources/b.yaml", "kind: File\nname: b\nspec:\n  path: b\n  content: b\n")
        try fx.source.commit("second")
        failingGit = try GitThatFails(in: fx.state)
    }

    /// `plumb history ARGS --no-fetch` through the git that fails, and whether it ran.
    func historyWithoutGit(_ arguments: [String]) throws -> (ProcessResult, ran: Bool) {
        try failingGit.ran { try fx.plumb(arguments: ["history", "--no-fetch"] + arguments, env: ["PLUMB_GIT": failingGit.path]) }
    }

    @Test func anUnmovedBranchsHistoryIsReadWithoutGit() throws {
        let fetched = try fx.plumb("history")
        #expect(fetched.status == 0 && fetched.stdout.contains("second") && fetched.stdout.contains("first"), "\(fetched.stdout)")
        let (again, gitRan) = try historyWithoutGit([])
        #expect(again.status == 0 && !gitRan, "\(again.stderr)")
        #expect(again.stdout == fetched.stdout)
        let (newest, _) = try historyWithoutGit(["-n", "1"])
        #expect(newest.stdout.split(separator: "\n").count == 1 && newest.stdout.contains("second"), "\(newest.stdout)")
        let (json, jsonRan) = try historyWithoutGit(["--json"])
        let commits = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(!jsonRan && commits?.map { $0["subject"] as? String } == ["second", "first"], "\(json.stdout)")
    }

    @Test func aMovedBranchShowsItsNewCommit() throws {
        try fx.plumb("history")
        try fx.source.write("resources/c.yaml", "kind: File\nname: c\nspec:\n  path: c\n  content: c\n")
        try fx.source.commit("third")
        let fetched = try fx.plumb("history", "-n", "1")
        #expect(fetched.status == 0 && fetched.stdout.contains("third"), "\(fetched.stdout)")
        // What is kept now is the new head's.
        let (kept, gitRan) = try historyWithoutGit(["-n", "3"])
        #expect(!gitRan && kept.stdout.split(separator: "\n").map { $0.contains("third") || $0.contains("second") || $0.contains("first") } == [true, true, true], "\(kept.stdout)")
        #expect(kept.stdout.components(separatedBy: "\n").first?.contains("third") == true, "\(kept.stdout)")
    }

    @Test func moreCommitsThanWereKeptAreGitsToRead() throws {
        // 200 more commits, pushed at once: the kept ones are the newest 200 of 202.
        for i in 1...200 { try git(["commit", "--quiet", "--allow-empty", "-m", "empty \(i)"], cwd: fx.source.work) }
        try git(["push", "--quiet", "origin", "HEAD:refs/heads/main"], cwd: fx.source.work)
        let all = try fx.plumb("history")
        #expect(all.stdout.split(separator: "\n").count == 202)
        let (newest, newestRan) = try historyWithoutGit(["-n", "200"])
        #expect(newest.status == 0 && !newestRan && newest.stdout.split(separator: "\n").count == 200)
        let (more, moreRan) = try historyWithoutGit(["-n", "201"])
        #expect(more.status == 1 && moreRan, "\(more.stdout)")
        let (whole, wholeRan) = try historyWithoutGit([])
        #expect(whole.status == 1 && wholeRan, "the whole history was not kept: \(whole.stdout.count) bytes")
    }
}
