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
