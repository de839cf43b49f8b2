/// Paths inside the target: validated and normalized before anything touches the disk.
public enum TargetPath {
    /// The normalized form of a manifest's `path`, or why it is refused.
    public static func normalize(_ raw: String) -> Result<String, PathProblem> {
        if raw.isEmpty { return .failure(.empty) }
        if raw.hasPrefix("/") { return .failure(.absolute) }
        if raw.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return .failure(.controlCharacter) }
        var parts: [Substring] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return .failure(.leavesTarget) }
            parts.append(part)
        }
        if parts.isEmpty { return .failure(.isRoot) }
        return .success(parts.joined(separator: "/"))
    }

    /// Every proper ancestor of a normalized path, outermost first: `a/b/c` gives `a`, `a/b`.
    public static func ancestors(of path: String) -> [String] {
        // On the UTF-8 view: `/` is one byte, and walking Characters would cost grapheme breaking.
        let bytes = path.utf8
        var result: [String] = []
        var index = bytes.startIndex
        while let slash = bytes[index...].firstIndex(of: UInt8(ascii: "/")) {
            result.append(String(path[..<slash]))
            index = bytes.index(after: slash)
        }
        return result
    }

    public enum PathProblem: Error, CustomStringConvertible {
        case empty, absolute, leavesTarget, controlCharacter, isRoot

        public var description: String { message(field: "path", root: "the target") }

        /// The complaint about a field holding such a path: `path` in the target, `source` in the repository.
        public func message(field: String, root: String) -> String {
            switch self {
            case .empty: return "\(field) is empty"
            case .absolute: return "\(field) must be relative to \(root), not absolute"
            case .leavesTarget: return "\(field) must stay inside \(root): `..` is not allowed"
            case .controlCharacter: return "\(field) contains a control character"
            case .isRoot: return "\(field) must name something inside \(root), not \(root) itself"
            }
        }
    }
}
