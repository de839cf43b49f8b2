/// Paths inside the target: validated and normalized before anything touches the disk.
public enum TargetPath {
    /// Names plumb stages new files under before renaming them into place: never declared.
    public static let reservedPrefix = ".plumb-tmp-"

    /// The normalized form of a manifest's `path`, or why it is refused.
    public static func normalize(_ raw: String) -> Result<String, PathProblem> {
        if raw.isEmpty { return .failure(.empty) }
        if raw.hasPrefix("/") { return .failure(.absolute) }
        if raw.unicodeScalars.contains(where: \.drivesTerminal) { return .failure(.controlCharacter) }
        var parts: [Substring] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." { return .failure(.leavesTarget) }
            if part.hasPrefix(reservedPrefix) { return .failure(.reserved) }
            parts.append(part)
        }
        if parts.isEmpty { return .failure(.isRoot) }
        return .success(parts.joined(separator: "/"))
    }

    /// Why a relative path plumb derived from a name git holds (a file of a Directory's
    /// `source`) cannot be a path in the target, or nil when it can. Such a name is used as it
    /// is, so it must already be plain: no empty, `.` or `..` component, no control character,
    /// valid UTF-8 (`validUTF8` says what git's bytes were), nothing reserved.
    public static func problem(withDerived path: String, validUTF8: Bool) -> PathProblem? {
        if !validUTF8 { return .invalidUTF8 }
        if path.isEmpty { return .empty }
        if path.unicodeScalars.contains(where: \.drivesTerminal) { return .controlCharacter }
        for part in path.split(separator: "/", omittingEmptySubsequences: false) {
            if part == ".." { return .leavesTarget }
            if part.isEmpty || part == "." { return .notPlain }
            if part.hasPrefix(reservedPrefix) { return .reserved }
        }
        return nil
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
        case empty, absolute, leavesTarget, controlCharacter, isRoot, reserved, invalidUTF8, notPlain

        public var description: String { message(field: "path", root: "the target") }

        /// The complaint about a field holding such a path: `path` in the target, `source` in the repository.
        public func message(field: String, root: String) -> String {
            switch self {
            case .empty: return "\(field) is empty"
            case .absolute: return "\(field) must be relative to \(root), not absolute"
            case .leavesTarget: return "\(field) must stay inside \(root): `..` is not allowed"
            case .controlCharacter: return "\(field) contains a control character"
            case .isRoot: return "\(field) must name something inside \(root), not \(root) itself"
            case .reserved: return "\(field) uses a name starting with `\(TargetPath.reservedPrefix)`, which plumb reserves for staging files"
            case .invalidUTF8: return "\(field) is not valid UTF-8; plumb never writes it under another name"
            case .notPlain: return "\(field) has an empty or `.` component"
            }
        }
    }
}
