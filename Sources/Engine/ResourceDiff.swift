import DesiredState

/// The unified diff of one resource, actual (`---`) against desired (`+++`), as `kubectl diff`
/// and Argo CD show it: `+` is what a sync writes, `-` what it takes away. Sensitive content is
/// never shown, binary content is summarised, and every line has its control characters escaped.
public enum ResourceDiff {
    /// Past this size a line diff costs more than it tells; the sizes are shown instead.
    static let maxDiffBytes = 4 << 20

    /// - Parameters:
    ///   - desired: the bytes the resource should hold (nil for an extra, or a non-file).
    ///   - actual: the bytes the target holds (nil when absent or not a file).
    ///   - actualWasSensitive: the target holds content plumb applied as sensitive: it stays
    ///     hidden though the resource declared there now is not.
    public static func render(_ status: ResourceStatus, desired: [UInt8]?, actual: [UInt8]?, actualWasSensitive: Bool = false) -> [String] {
        var out = ["diff \(status.id.description.escapingControlCharacters) (\(status.place.escapingControlCharacters)): \(status.message?.escapingControlCharacters ?? "in sync")"]
        // A directory where a directory is declared has no content to compare: its mode says it all.
        if case .directory? = status.desired?.shape, case .directory(let mode) = status.observed {
            return out + ["mode \(octal(mode)) in the target"]
        }
        let from = status.observed == .absent ? "/dev/null" : "actual/" + status.path.escapingControlCharacters
        let to = status.desired == nil ? "/dev/null" : "desired/" + status.path.escapingControlCharacters
        out += ["--- \(from)", "+++ \(to)"]

        if let desiredShape = status.desired?.shape, case .file(_, _, let mode) = desiredShape, case .file(_, let actualMode, _) = status.observed, mode != actualMode {
            out.append("mode \(octal(actualMode)) → \(octal(mode))")
        }
        let sensitive = status.sensitive
        let oldText = text(of: status.observed, bytes: actual)
        let newText = text(of: status.desired, bytes: desired)
        if oldText == nil && newText == nil { return out }
        if sensitive {
            out.append("(content hidden: \(status.id) is sensitive)")
            return out
        }
        if actualWasSensitive {
            out.append("(content hidden: what \(status.path.escapingControlCharacters) holds now was applied as sensitive)")
            return out
        }
        let sizes = [actual.map { "actual \($0.count) bytes" }, desired.map { "desired \($0.count) bytes" }].compactMap { $0 }.joined(separator: ", ")
        switch (oldText, newText) {
        case (.binary, _), (_, .binary):
            out.append("Binary content differs (\(sizes))")
        case _ where (desired?.count ?? 0) > maxDiffBytes || (actual?.count ?? 0) > maxDiffBytes:
            out.append("Content differs (\(sizes)); too large to show line by line")
        default:
            let old = oldText?.string ?? "", new = newText?.string ?? ""
            if old != new {
                out += UnifiedDiff.lines(old: old, new: new).map(escapeKeepingTabs)
            }
        }
        return out
    }

    enum Content {
        case text(String)
        case binary
        var string: String? { if case .text(let s) = self { return s } else { return nil } }
    }

    static func text(of desired: DesiredResource?, bytes: [UInt8]?) -> Content? {
        switch desired?.shape {
        case .symlink(let target): return .text("-> \(target)\n")
        case .directory: return nil
        default: return bytes.map(classify)
        }
    }

    static func text(of observed: Observation, bytes: [UInt8]?) -> Content? {
        if case .symlink(let target) = observed { return .text("-> \(target)\n") }
        if case .file = observed { return bytes.map(classify) }
        return nil
    }

    static func classify(_ bytes: [UInt8]) -> Content {
        if bytes.contains(0) { return .binary }
        guard let string = String(validating: bytes, as: UTF8.self) else { return .binary }
        return .text(string)
    }

    static func escapeKeepingTabs(_ line: String) -> String {
        line.split(separator: "\t", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }.joined(separator: "\t")
    }
}

extension Engine {
    /// Diffs of the given statuses, reading desired content from the mirror and actual content
    /// from the target; for a Service or a Command, what it is and did instead.
    public func diffs(_ statuses: [ResourceStatus]) async throws -> [[String]] {
        var machine: [Int: [String]] = [:]
        for (index, status) in statuses.enumerated() where !status.isInTarget {
            machine[index] = await machineDetail(status)
        }
        let contents = try await desiredContents(statuses.compactMap(\.desired))
        // Content applied as sensitive stays sensitive while it is there, whatever is declared now.
        let appliedSensitive = Dictionary(try store.inventory().values.filter(\.sensitive).map { ($0.path, $0.blob) }, uniquingKeysWith: { a, _ in a })
        return statuses.enumerated().map { index, status in
            if let detail = machine[index] { return detail }
            var desired: [UInt8]?
            if case .file(let blob, _, _)? = status.desired?.shape { desired = contents[blob] }
            var actual: [UInt8]?
            if case .file = status.observed { actual = try? target.readFile(status.path) }
            var wasSensitive = false
            if case .file(let blob, _, _) = status.observed, appliedSensitive[status.path] == blob { wasSensitive = true }
            return ResourceDiff.render(status, desired: desired, actual: actual, actualWasSensitive: wasSensitive) + directoryNotes(status)
        }
    }

    /// What a Directory's detail says beyond its diff: what it ignores and how much that hid on
    /// each side (nothing is left out silently), whether it prunes and purges, its owner.
    func directoryNotes(_ status: ResourceStatus) -> [String] {
        guard let desired = status.desired, case .directory(let spec) = desired.shape else { return [] }
        var notes: [String] = []
        if !spec.ignore.isEmpty {
            var scan = FolderScan(fs: target, cache: [:], declared: [], known: [])
            _ = scan.strangers(under: desired.path, ignore: spec.ignore)
            notes.append("ignore: \(spec.ignore.patterns.joined(separator: ", ")) (\(spec.ignoredInSource) file(s) of the source and \(scan.ignored) name(s) in the target ignored)")
        }
        notes.append("prune: \(spec.prune ? "on" : "off") (files plumb applied), purge: \(spec.purge ? "on" : "off") (files plumb did not write)")
        if desired.ownership.isManaged {
            notes.append("owner \(desired.ownership.user?.description ?? "as it is"), group \(desired.ownership.group?.description ?? "as it is") (its files take these unless they say otherwise)")
        }
        if desired.path.isEmpty && spec.mode == nil { notes.append("mode: the target root's own, left as it is (no mode declared)") }
        return notes.map(\.escapingControlCharacters)
    }
}
