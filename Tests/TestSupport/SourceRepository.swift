import Foundation

/// A desired-state repository for tests: a bare `source.git` that plumb reads, and a work clone
/// where the test edits, commits and pushes, as an operator would.
public final class SourceRepository: @unchecked Sendable {
    public let scratch: Scratch
    public let bare: String
    public let work: String

    public init(branch: String = "main") throws {
        scratch = try Scratch()
        bare = scratch.file("source.git")
        work = scratch.file("work")
        try git(["init", "--quiet", "--bare", "--initial-branch", branch, bare])
        try git(["init", "--quiet", "--initial-branch", branch, work])
        try git(["remote", "add", "origin", bare], cwd: work)
    }

    public func write(_ relative: String, _ content: String, mode: Int? = nil) throws {
        try writeFile(work + "/" + relative, content, mode: mode)
    }

    public func remove(_ relative: String) throws {
        try FileManager.default.removeItem(atPath: work + "/" + relative)
    }

    /// Commits everything in the work tree and pushes it; returns the new commit's id.
    @discardableResult
    public func commit(_ message: String, push: Bool = true, branch: String = "main") throws -> String {
        try git(["add", "--all"], cwd: work)
        try git(["commit", "--quiet", "--allow-empty", "-m", message], cwd: work)
        if push { try git(["push", "--quiet", "--force", "origin", "HEAD:refs/heads/\(branch)"], cwd: work) }
        return try git(["rev-parse", "HEAD"], cwd: work)
    }

    /// Commits `files` on a new branch `proposal/<name>` from `base`, pushes it, and goes back to
    /// main; returns the proposal's head.
    @discardableResult
    public func propose(_ name: String, from base: String = "main", _ files: [String: String], message: String? = nil) throws -> String {
        try git(["checkout", "--quiet", "-B", "proposal/\(name)", base], cwd: work)
        for (path, content) in files { try write(path, content) }
        let head = try commit(message ?? "propose \(name)", branch: "proposal/\(name)")
        try git(["checkout", "--quiet", "main"], cwd: work)
        return head
    }

    /// Where a branch of the bare source points, or nil when it does not exist.
    public func head(_ branch: String = "main") throws -> String? {
        let result = try run("git", ["--git-dir", bare, "rev-parse", "--verify", "--quiet", "refs/heads/\(branch)"])
        return result.status == 0 ? result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
