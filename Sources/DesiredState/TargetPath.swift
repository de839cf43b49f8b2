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

    /// `relative` inside `folder` ("" is the target root).
    public static func join(_ folder: String, _ relative: String) -> String {
        folder.isEmpty ? relative : folder + "/" + relative
    }

    /// Whether `path` lies strictly inside `folder` ("" is the target root, which holds every path).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        if folder.isEmpty { return !path.isEmpty }
        let bytes = path.utf8
        return bytes.count > folder.utf8.count && bytes.starts(with: folder.utf8)
            && bytes[bytes.index(bytes.startIndex, offsetBy: folder.utf8.count)] == UInt8(ascii: "/")
    }

    /// `path` relative to `folder`, which holds it.
    public static func relative(_ path: String, to folder: String) -> String {
        folder.isEmpty ? path : String(path[path.utf8.index(path.utf8.startIndex, offsetBy: folder.utf8.count + 1)...])
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

/// A `source:` path: relative to the `--path` subdirectory, or from the repository root when it
/// starts with `/` (content shared between subdirectories).
public enum SourcePath {
    /// Normalized: `.` and inner `..` resolved, a leading `/` kept; `..` that climbs above the
    /// start is kept too, so the loader can name what to write instead.
    public static func normalize(_ raw: String) -> Result<String, TargetPath.PathProblem> {
        if raw.isEmpty { return .failure(.empty) }
        if raw.unicodeScalars.contains(where: \.drivesTerminal) { return .failure(.controlCharacter) }
        let fromRoot = raw.hasPrefix("/")
        var parts: [Substring] = []
        for part in raw.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == ".." {
                if let last = parts.last, last != ".." { parts.removeLast(); continue }
                if fromRoot { return .failure(.leavesTarget) }
            }
            parts.append(part)
        }
        if parts.isEmpty { return .failure(.isRoot) }
        return .success((fromRoot ? "/" : "") + parts.joined(separator: "/"))
    }

    /// Where a normalized `source` lies in the whole repository, for the subdirectory `scope`
    /// ("" when there is none), or the complaint about it.
    public static func resolve(_ source: String, scope: String) -> Result<String, Refusal> {
        if source.hasPrefix("/") { return .success(String(source.dropFirst())) }
        let parts = source.split(separator: "/")
        let climbs = parts.prefix { $0 == ".." }.count
        guard climbs > 0 else { return .success(TargetPath.join(scope, source)) }
        let scopeParts = scope.split(separator: "/")
        guard climbs <= scopeParts.count, climbs < parts.count else {
            return .failure(Refusal(message: "source must stay inside the repository: `..` is not allowed: \(source.escapingControlCharacters)"))
        }
        let resolved = (scopeParts.dropLast(climbs) + parts.dropFirst(climbs)).joined(separator: "/")
        return .failure(Refusal(message: "source \(source.escapingControlCharacters) leaves the subdirectory \(scope.escapingControlCharacters) (--path); "
                                + "content shared between subdirectories is read from the repository root: write source: /\(resolved.escapingControlCharacters)"))
    }

    public struct Refusal: Error {
        public let message: String
    }
}
