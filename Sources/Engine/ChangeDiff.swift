import DesiredState
import Foundation
import VersionSource

extension Engine {
    /// The diff of the source between two revisions (or trees), for a proposal or a commit on
    /// screen: the content of sensitive resources never shows. A file that is the content of a
    /// sensitive resource on either side, and a manifest that declares one, are named but not shown.
    public func changeDiff(from old: String, to new: String) async throws -> [String] {
        let files = try await mirror.changedFiles(from: old, to: new)
        var secret: Set<String> = []
        for revision in [old, new] {
            guard let state = try? await desiredState(at: revision, journal: false) else { continue }
            for resource in state.resources where resource.sensitive {
                if case .file(let blob, _, _) = resource.shape { secret.insert(blob) }
                secret.insert(resource.origin.file)
            }
        }
        let hidden = files.filter { secret.contains($0.oldBlob) || secret.contains($0.newBlob) || secret.contains($0.path) }
        let shown = files.filter { !hidden.contains($0) }.map(\.path)
        return try await mirror.diffLines(from: old, to: new, paths: shown)
            + hidden.map { "\($0.path): holds sensitive content; its diff is not shown" }
    }
}

/// What the console's history shows of one commit: its whole message, and what it changes in
/// the desired state and the files, or why its revision is invalid (it would never be applied).
public struct CommitDetail: Sendable {
    public let message: CommitMessage
    public let changes: [ResourceChange]
    public let diff: [String]
    /// The revision's problems, when it is invalid; its changes are then not computed.
    public let invalid: [Diagnostic]

    public init(message: CommitMessage, changes: [ResourceChange], diff: [String], invalid: [Diagnostic]) {
        self.message = message
        self.changes = changes
        self.diff = diff
        self.invalid = invalid
    }
}

extension Engine {
    /// A commit's detail against its parent (a first commit against git's empty tree).
    public func commitDetail(of commit: Commit) async throws -> CommitDetail {
        async let message = mirror.message(of: commit.sha)
        let parent = try await mirror.resolve(commit.sha + "^")
        let diff = try await changeDiff(from: parent ?? Mirror.emptyTree, to: commit.sha)
        do {
            let after = try await desiredState(at: commit.sha, journal: false)
            var before: DesiredState?
            if let parent { before = try? await desiredState(at: parent, journal: false) }
            let changes = ResourceChange.between(before ?? DesiredState(revision: "", resources: [], settings: Settings()), after)
            return CommitDetail(message: try await message, changes: changes, diff: diff, invalid: [])
        } catch let invalid as InvalidRevision {
            return CommitDetail(message: try await message, changes: [], diff: diff, invalid: invalid.diagnostics)
        }
    }
}
