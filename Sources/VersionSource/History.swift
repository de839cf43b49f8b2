import Foundation

extension Mirror {
    /// Commits reachable from `revision` (or in a range `a..b`), newest first (oldest first with
    /// `reverse`), skipping `skip` and at most `limit` (nil: all). They reach `each` in batches as
    /// git writes them, never the whole log at once; `each` returns false to stop early.
    public func log(from revision: String, skip: Int = 0, limit: Int? = nil, reverse: Bool = false,
                    each: ([Commit]) throws -> Bool) async throws {
        var arguments = ["log", "-z", "--format=\(Commit.format)", "--skip=\(skip)"]
        if let limit { arguments.append("--max-count=\(limit)") }
        if reverse { arguments.append("--reverse") }
        arguments += [revision, "--"]
        var pending: [UInt8] = []
        var stopped = false
        let out = try await git.stream(arguments) { chunk in
            guard !stopped else { return }
            pending += chunk
            let (commits, used) = Commit.parse(pending[...], final: false)
            pending.removeFirst(used)
            if !commits.isEmpty, try !each(commits) { stopped = true }
        }
        if stopped { return }
        guard out.succeeded else { throw GitError("reading the history of \(revision.prefix(40)) failed: \(out.complaint)") }
        let (commits, _) = Commit.parse(pending[...], final: true)
        if !commits.isEmpty { _ = try each(commits) }
    }

    /// The commits of `log`, gathered: for short ranges only.
    public func commits(_ range: String, limit: Int? = nil, reverse: Bool = false) async throws -> [Commit] {
        var all: [Commit] = []
        try await log(from: range, limit: limit, reverse: reverse) { all += $0; return true }
        return all
    }

    /// The bytes of the file at `path` (relative to the source path) in `revision`, or nil when
    /// the revision has no such file.
    public func readFile(_ path: String, at revision: String) async throws -> [UInt8]? {
        let full = source.path.isEmpty ? path : source.path + "/" + path
        let out = try await git.run(["cat-file", "blob", "--end-of-options", "\(revision):\(full)"])
        return out.succeeded ? out.stdout : nil
    }

    /// The commit a revision name (a sha, a prefix, a ref) means, or nil when the mirror has none.
    public func resolve(_ name: String) async throws -> String? {
        guard !name.hasPrefix("-") else { return nil }
        let out = try await git.run(["rev-parse", "--verify", "--quiet", "--end-of-options", "\(name)^{commit}"])
        return out.succeeded ? out.text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
