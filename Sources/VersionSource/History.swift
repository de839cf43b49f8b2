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

    /// git's empty tree: what a first commit is compared with.
    public static let emptyTree = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"

    /// The whole message of one commit, with who wrote and who committed it and when.
    public func message(of sha: String) async throws -> CommitMessage {
        let out = try await git.run(["show", "-s", "--format=%an <%ae>%x00%at%x00%cn <%ce>%x00%ct%x00%B", sha, "--"])
        let fields = out.stdout.split(separator: 0, maxSplits: 4, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        guard out.succeeded, fields.count == 5, let authored = TimeInterval(fields[1]), let committed = TimeInterval(fields[3]) else {
            throw GitError("reading the message of \(sha.prefix(12)) failed: \(out.complaint)")
        }
        return CommitMessage(author: fields[0], authored: Date(timeIntervalSince1970: authored),
                             committer: fields[2], committed: Date(timeIntervalSince1970: committed),
                             body: fields[4].trimmingCharacters(in: .newlines))
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

extension Mirror {
    /// One file that differs between two revisions (or trees): its path under the source path and
    /// its blob on each side (all zeros where absent).
    public struct ChangedFile: Sendable, Hashable {
        public let path: String
        public let oldBlob: String
        public let newBlob: String
    }

    /// The files that differ between two revisions, below the source path.
    public func changedFiles(from old: String, to new: String) async throws -> [ChangedFile] {
        let out = try await git.output(["diff-tree", "-r", "-z", "--no-renames", "--relative=\(source.path)", old, new],
                                       what: "comparing \(old.prefix(12)) with \(new.prefix(12))")
        // Records: `:<mode> <mode> <old> <new> <status>` NUL `<path>` NUL.
        let fields = out.stdout.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
        var files: [ChangedFile] = []
        var index = 0
        while index + 1 < fields.count {
            let meta = fields[index].split(separator: " ")
            if meta.count >= 4, fields[index].hasPrefix(":") {
                files.append(ChangedFile(path: fields[index + 1], oldBlob: String(meta[2]), newBlob: String(meta[3])))
                index += 2
            } else {
                index += 1
            }
        }
        return files
    }

    /// `git diff` between two revisions, of these paths only (relative to the source path), as lines.
    public func diffLines(from old: String, to new: String, paths: [String]) async throws -> [String] {
        guard !paths.isEmpty else { return [] }
        let out = try await git.output(["diff", "--no-color", "--no-ext-diff", "--no-renames", "--relative=\(source.path)", old, new, "--"]
                                       + paths.map { source.path.isEmpty ? $0 : source.path + "/" + $0 },
                                       what: "comparing \(old.prefix(12)) with \(new.prefix(12))")
        return out.text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLast(out.text.hasSuffix("\n") ? 1 : 0)
    }
}
