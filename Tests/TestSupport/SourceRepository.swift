import Foundation

/// A desired-state repository for tests: a bare `source.git` that plumb reads, and a work clone
/// where the test edits, commits and pushes, as an operator would.
public final class SourceRepository: @unchecked Sendable {
    public let scratch: Scratch
    public let bare: String
    public let work: String

    public init(branch: String = "main", in parent: String = NSTemporaryDirectory()) throws {
        scratch = try Scratch(in: parent)
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
    /// `signedWith`: what signs the commit, when it is signed.
    public func commit(_ message: String, push: Bool = true, branch: String = "main", signedWith signing: CommitSigning? = nil) throws -> String {
        try git(["add", "--all"], cwd: work)
        try git((signing?.settings ?? []) + ["commit", "--quiet", "--allow-empty"] + (signing == nil ? [] : ["-S"]) + ["-m", message], cwd: work)
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

extension SourceRepository {
    /// Commits a tree built with git's plumbing onto `branch` of the bare source: names no work
    /// tree can hold (`..`, control bytes, bytes that are not UTF-8) exactly as a hostile server
    /// would send them. `files` maps raw paths (components split at `/`) to contents.
    @discardableResult
    public func commitRawTree(_ files: [([UInt8], String)], message: String = "hostile tree", branch: String = "main") throws -> String {
        func tree(_ entries: [([[UInt8]], String)]) throws -> String {
            var groups: [[UInt8]: [([[UInt8]], String)]] = [:]
            var order: [[UInt8]] = []
            var lines: [UInt8] = []
            for (components, content) in entries {
                if components.count == 1 {
                    let blob = try runBytes("git", ["--git-dir", bare, "hash-object", "-w", "--stdin"], input: Array(content.utf8))
                    lines += Array("100644 blob \(blob)\t".utf8) + components[0] + [10]
                } else {
                    if groups[components[0]] == nil { order.append(components[0]) }
                    groups[components[0], default: []].append((Array(components.dropFirst()), content))
                }
            }
            for name in order {
                lines += Array("040000 tree \(try tree(groups[name]!))\t".utf8) + name + [10]
            }
            return try runBytes("git", ["--git-dir", bare, "mktree", "--missing"], input: lines)
        }
        let root = try tree(files.map { path, content in (path.split(separator: UInt8(ascii: "/")).map(Array.init), content) })
        let parent = try head(branch)
        let commit = try runBytes("git", ["--git-dir", bare, "-c", "user.name=Mallory", "-c", "user.email=m@example.com",
                                          "commit-tree", root] + (parent.map { ["-p", $0] } ?? []) + ["-m", message], input: [])
        try git(["--git-dir", bare, "update-ref", "refs/heads/\(branch)", commit])
        return commit
    }
}

/// How a test signs a commit: with an SSH private key file, or with an OpenPGP key of a GnuPG
/// home (by its user id).
public enum CommitSigning {
    case ssh(key: String)
    case openpgp(home: String, user: String)

    var settings: [String] {
        switch self {
        case .ssh(let key): return ["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key)"]
        case .openpgp(let home, let user):
            // git runs `gpg.program`; this one names the home, as git passes no environment of ours.
            return ["-c", "gpg.format=openpgp", "-c", "gpg.program=\(home)/gpg", "-c", "user.signingkey=\(user)"]
        }
    }
}
