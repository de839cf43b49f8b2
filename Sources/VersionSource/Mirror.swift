import Foundation

/// Where desired state comes from: a repository, a branch, an optional subdirectory.
public struct SourceRef: Sendable, Hashable {
    public let url: String
    public let branch: String
    /// Subdirectory of the repository holding `resources/`, or "" for its root.
    public let path: String

    public init(url: String, branch: String = "main", path: String = "") {
        self.url = url
        self.branch = branch
        self.path = path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    public var branchRef: String { "refs/heads/\(branch)" }
}

/// plumb's bare mirror of the source, in the state dir: fetched from the source, read with
/// machine formats, never a work tree.
public struct Mirror: Sendable {
    public let source: SourceRef
    public let path: String
    public let git: Git

    public init(source: SourceRef, path: String, gitExecutable: String? = nil) {
        self.source = source
        self.path = path
        self.git = Git(gitDir: path, executable: gitExecutable)
    }

    /// Creates the bare mirror if it does not exist yet. It is made beside its final place and
    /// renamed, so a crash never leaves half a repository; a mirror whose HEAD is damaged is made
    /// again, since it holds nothing the source does not.
    public func create() async throws {
        switch Self.headFile(path + "/HEAD") {
        case .valid: return
        case .absent: break
        case .damaged:
            let aside = path + ".damaged-\(getpid())"
            guard rename(path, aside) == 0 else { throw GitError("the mirror at \(path) is damaged (its HEAD is not git's) and cannot be moved aside: \(String(cString: strerror(errno)))") }
            try? FileManager.default.removeItem(atPath: aside)
        }
        // Half-made mirrors of runs that died here are removed first; a live run's is left alone.
        let folder = (path as NSString).deletingLastPathComponent, name = (path as NSString).lastPathComponent
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where leftover.hasPrefix(name + ".new-") {
            if let pid = pid_t(leftover.dropFirst(name.count + 5)), kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: folder + "/" + leftover)
        }
        let staging = path + ".new-\(getpid())"
        try await Git(executable: git.executable).output(["init", "--quiet", "--bare", staging], what: "creating the mirror at \(path)")
        guard rename(staging, path) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: staging)
            // Another plumb made it first: theirs serves as well.
            if (code == ENOTEMPTY || code == EEXIST), case .valid = Self.headFile(path + "/HEAD") { return }
            throw GitError("creating the mirror at \(path) failed: \(String(cString: strerror(code)))")
        }
    }

    enum HeadFile { case valid, absent, damaged }

    /// What a repository's HEAD file holds: a symbolic ref or an object id, or anything else.
    static func headFile(_ file: String) -> HeadFile {
        guard let data = FileManager.default.contents(atPath: file) else {
            return FileManager.default.fileExists(atPath: (file as NSString).deletingLastPathComponent) ? .damaged : .absent
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.hasPrefix("ref: refs/") { return .valid }
        return text.count >= 40 && text.allSatisfy(\.isHexDigit) ? .valid : .damaged
    }

    /// Where fetches into this mirror take turns: two at once fail on git's ref locks.
    var fetchLock: String { path + ".fetch-lock" }

    /// Runs a fetch (or anything else that updates the mirror's refs) while no other plumb does.
    func updatingRefs<T>(_ body: () async throws -> T) async throws -> T {
        try await FileLock.holding(fetchLock, timeout: Git.networkTimeout + .seconds(30), for: "fetching into the mirror", body)
    }

    /// Fetch options: every object checked as it arrives (a tree entry named `..` is refused here).
    static let checkedFetch = ["-c", "fetch.fsckObjects=true", "-c", "transfer.fsckObjects=true"]

    /// Fetches the tracked branch and every `proposal/*` branch; the mirror's refs then equal the
    /// source's, rewritten history included (callers compare with the applied revision).
    public func fetch() async throws {
        let out = try await updatingRefs {
            try await git.run(Self.checkedFetch + [
                "fetch", "--quiet", "--prune", "--no-tags", "--no-write-fetch-head", "--", source.url,
                "+\(source.branchRef):\(source.branchRef)",
                "+refs/heads/proposal/*:refs/heads/proposal/*",
            ])
        }
        guard out.succeeded else {
            if out.stderr.contains("couldn't find remote ref \(source.branchRef)") {
                // An empty repository has no branch at all: say so, not that one name is wrong.
                let heads = try? await git.run(["ls-remote", "--heads", "--", source.url])
                if let heads, heads.succeeded, heads.text.isEmpty {
                    throw GitError("\(source.url) has no commits yet: push a first commit to \(source.branch), such as `git push origin \(source.branch)` from your work tree")
                }
                throw GitError("branch \(source.branch) was not found at \(source.url)")
            }
            throw GitError("fetching \(source.url) failed: \(out.complaint)")
        }
    }

    /// Fetches one revision by name (a branch, a tag, a sha the source allows) for `check`; the
    /// commit, or nil when the source has no such name.
    public func fetchRevision(_ name: String) async throws -> String? {
        guard !name.hasPrefix("-") else { return nil }
        let ref = "refs/plumb/check"
        let out = try await updatingRefs {
            try await git.run(Self.checkedFetch + ["fetch", "--quiet", "--no-tags", "--no-write-fetch-head", "--", source.url, "+\(name):\(ref)"])
        }
        guard out.succeeded else { return nil }
        return try await resolve(ref)
    }

    /// The folders whose files say where the tracked branch points: the mirror itself
    /// (`packed-refs`) and the branch's loose ref's folder. A watch on them sees the head move.
    public var refFolders: [String] {
        let ref = source.branchRef
        let folder = ref.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(ref[..<$0]) } ?? "refs/heads"
        return [path, "\(path)/\(folder)"]
    }

    /// The commit the tracked branch points at in the mirror, or nil before the first fetch.
    /// While the branch's ref file still names `known`, a commit git verified before, that is the
    /// answer without a git child: what nearly every run finds, and an object id names one object
    /// forever.
    public func head(known: String? = nil) async throws -> String? {
        if let known, RefFiles.target(of: source.branchRef, in: path) == known { return known }
        let out = try await git.run(["rev-parse", "--verify", "--quiet", "\(source.branchRef)^{commit}"])
        return out.succeeded ? out.text.trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    /// Whether `ancestor` is `descendant` or one of its ancestors; false when either is unknown.
    public func isAncestor(_ ancestor: String, of descendant: String) async throws -> Bool {
        try await git.run(["merge-base", "--is-ancestor", ancestor, descendant]).succeeded
    }

    /// Every blob below the source path of `revision`, paths relative to that path (or, with
    /// `wholeRepository`, every blob of the revision, for content shared between subdirectories).
    public func listTree(revision: String, wholeRepository: Bool = false) async throws -> [TreeEntry] {
        let treeish = source.path.isEmpty || wholeRepository ? revision : "\(revision):\(source.path)"
        let out = try await git.run(["ls-tree", "-r", "-z", "--full-tree", treeish])
        guard out.succeeded else {
            if source.path.isEmpty { throw GitError("reading revision \(revision) failed: \(out.complaint)") }
            throw GitError("path \(source.path) does not exist in revision \(revision.prefix(12)) of \(source.url)")
        }
        return TreeEntry.parse(out.stdout)
    }

    /// Reads blobs by id in one `cat-file --batch`; an id that is not a blob is left out.
    public func readBlobs(_ ids: [String]) async throws -> [String: [UInt8]] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        let request = Array(unique.joined(separator: "\n").utf8) + [10]
        let out = try await git.output(["cat-file", "--batch"], input: request, what: "reading blobs")
        return Self.parseBatch(out.stdout)
    }

    /// Parses `cat-file --batch` output: `<oid> SP <type> SP <size> LF <content> LF` records.
    /// A record whose size is not a count or runs past the end ends the reading: a blob cut
    /// short is left out, never kept as if whole.
    package static func parseBatch(_ bytes: [UInt8]) -> [String: [UInt8]] {
        var blobs: [String: [UInt8]] = [:]
        var i = 0
        while i < bytes.count {
            guard let newline = bytes[i...].firstIndex(of: 10) else { break }
            let header = bytes[i..<newline].split(separator: 32)
            i = newline + 1
            guard header.count == 3 else { continue }
            guard let size = Int(String(decoding: header[2], as: UTF8.self)), size >= 0, size <= bytes.count - i else { break }
            if header[1].elementsEqual("blob".utf8) {
                blobs[String(decoding: header[0], as: UTF8.self)] = Array(bytes[i..<(i + size)])
            }
            i += size + 1
        }
        return blobs
    }
}
