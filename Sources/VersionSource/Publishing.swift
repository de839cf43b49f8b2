import Foundation

/// Writing to the source: new commits are made with plumbing in the mirror (no work tree is ever
/// touched) and pushed with a plain push, never a force push.
extension Mirror {
    /// The operator's git identity, `Name <email>`, for trailers and commits: from git's
    /// configuration (or GIT_COMMITTER_NAME and GIT_COMMITTER_EMAIL), never guessed.
    public func identity() async throws -> String {
        let out = try await git.run(["-c", "user.useConfigOnly=true", "var", "GIT_COMMITTER_IDENT"])
        let ident = out.text.trimmingCharacters(in: .whitespacesAndNewlines)
        // `Name <email> 1700000000 +0000`: the time and zone are not part of who.
        guard out.succeeded, let close = ident.lastIndex(of: ">"), ident.contains("<") else {
            throw GitError("no git identity to sign this with: set one with `git config --global user.name \"Your Name\"` and `git config --global user.email you@example.com`")
        }
        return String(ident[...close])
    }

    /// The tree of a commit.
    public func tree(of revision: String) async throws -> String {
        try await git.output(["rev-parse", "--verify", "--end-of-options", "\(revision)^{tree}"], what: "reading the tree of \(revision.prefix(12))")
            .text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A new commit (not on any branch yet) with this tree, parents and message; the author and
    /// committer are the operator's identity. Signed (`-S`, with the operator's `gpg.format` and
    /// `user.signingkey`) when the operator's git signs commits (`commit.gpgSign`), which
    /// `commit-tree` would not do by itself.
    public func commit(tree: String, parents: [String], message: String) async throws -> String {
        let signs = try await git.run(["config", "--bool", "commit.gpgSign"]).text.trimmingCharacters(in: .whitespacesAndNewlines) == "true"
        let arguments = ["-c", "user.useConfigOnly=true", "commit-tree"] + (signs ? ["-S"] : []) + [tree] + parents.flatMap { ["-p", $0] }
        return try await git.output(arguments, input: Array(message.utf8), what: "writing a commit")
            .text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The outcome of merging two commits without a work tree.
    public enum Merge: Sendable, Equatable {
        case clean(tree: String)
        case conflict(paths: [String])
    }

    /// Merges `theirs` into `ours` with `merge-tree --write-tree`: the resulting tree, or the
    /// conflicting paths. Nothing changes in the mirror's refs.
    public func merge(_ ours: String, _ theirs: String) async throws -> Merge {
        let out = try await git.run(["merge-tree", "--write-tree", "--name-only", "-z", "--no-messages", ours, theirs])
        let fields = out.stdout.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        switch out.status {
        case 0: return .clean(tree: fields.first ?? "")
        case 1: return .conflict(paths: Array(Set(fields.dropFirst().filter { !$0.isEmpty })).sorted())
        default: throw GitError("merging \(theirs.prefix(12)) into \(ours.prefix(12)) failed: \(out.complaint)")
        }
    }

    /// Pushes `commit` to the tracked branch at the source (a plain push: refused unless it
    /// descends from the source's head), then moves the mirror's branch to it.
    public func publish(_ commit: String, replacing head: String) async throws {
        let out = try await git.run(["push", "--quiet", "--porcelain", "--", source.url, "\(commit):\(source.branchRef)"])
        guard out.succeeded else {
            if out.text.contains("[rejected]") || out.stderr.contains("[rejected]") || out.stderr.contains("non-fast-forward") || out.stderr.contains("fetch first") {
                throw GitError("\(source.branch) moved at \(source.url) since \(head.prefix(12)) was read; nothing was changed. Look at the new head and try again")
            }
            let checkedOut = out.complaint.contains("branch is currently checked out") || out.complaint.contains("refusing to update checked out branch")
            let hint = checkedOut ? ". The source is a work tree with \(source.branch) checked out, which git does not let anyone push to: "
                + "make a bare repository to be the source (git clone --bare SITE SITE.git), point plumb at it, and push your work there" : ""
            throw GitError("pushing to \(source.branch) at \(source.url) failed: \(out.complaint)\(hint)")
        }
        // A fetch beside this one would hold the ref's lock: take turns. If the fetch moved the
        // ref to the pushed commit already, that is as good.
        let moved = try await updatingRefs { try await git.run(["update-ref", source.branchRef, commit, head]) }
        if !moved.succeeded, try await self.head() != commit {
            throw GitError("moving the mirror's \(source.branch) failed: \(moved.complaint)")
        }
    }

    /// Deletes a branch at the source, only while it still points at `expected` (a check, not a
    /// force: commits pushed to it since are never lost), then in the mirror.
    public func deleteBranch(_ name: String, expected: String) async throws {
        let ref = "refs/heads/\(name)"
        let out = try await git.run(["push", "--quiet", "--porcelain", "--force-with-lease=\(ref):\(expected)", "--", source.url, ":\(ref)"])
        guard out.succeeded else {
            if out.text.contains("stale info") || out.stderr.contains("stale info") {
                throw GitError("\(name) moved at \(source.url) since \(expected.prefix(12)) was read; it was kept")
            }
            throw GitError("deleting \(name) at \(source.url) failed: \(out.complaint)")
        }
        _ = try await updatingRefs { try await git.run(["update-ref", "-d", ref, expected]) }
    }
}
