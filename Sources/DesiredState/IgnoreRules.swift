import Glibc
import VersionSource

/// A Directory's `ignore`: patterns in gitignore syntax, relative to the Directory. A matching
/// file is neither deployed from the source nor reported (or purged) as extra in the target.
///
/// As in git: the last matching pattern decides, `!` re-includes, a trailing `/` matches folders
/// only, a pattern with a `/` at its start or middle is anchored at the Directory while one
/// without matches a name at any depth, `*` and `?` stay within a name, `**` spans folders, and
/// nothing inside an ignored folder can be re-included.
public struct IgnoreRules: Sendable, Hashable {
    public let patterns: [String]
    private let rules: [Rule]

    private struct Rule: Sendable, Hashable {
        let negated: Bool
        let foldersOnly: Bool
        /// Matched against the whole relative path; otherwise against the last name only.
        let anchored: Bool
        let parts: [String]
    }

    public static let none = IgnoreRules(patterns: [])

    public init(patterns: [String]) {
        self.patterns = patterns
        rules = patterns.compactMap(Self.rule)
    }

    public var isEmpty: Bool { rules.isEmpty }

    /// Why a pattern cannot be used, or nil when it can.
    public static func problem(_ pattern: String) -> String? {
        if pattern.unicodeScalars.contains(where: \.drivesTerminal) { return "contains a control character" }
        if rule(pattern) == nil { return "matches nothing: write a glob such as *.swp, build/ or /secret.txt" }
        return nil
    }

    private static func rule(_ raw: String) -> Rule? {
        var text = Substring(raw)
        let negated = text.hasPrefix("!")
        if negated { text = text.dropFirst() }
        let foldersOnly = text.hasSuffix("/")
        while text.hasSuffix("/") { text = text.dropLast() }
        let anchored = text.contains("/")
        while text.hasPrefix("/") { text = text.dropFirst() }
        let parts = text.split(separator: "/").map(String.init)
        return parts.isEmpty ? nil : Rule(negated: negated, foldersOnly: foldersOnly, anchored: anchored, parts: parts)
    }

    /// Whether `path` (relative to the Directory, its folders not ignored themselves) is ignored.
    public func matches(_ path: String, isFolder: Bool) -> Bool {
        guard !rules.isEmpty else { return false }
        let names = path.split(separator: "/").map(String.init)
        var ignored = false
        for rule in rules where rule.negated == ignored {
            if rule.foldersOnly && !isFolder { continue }
            let hit = rule.anchored ? Self.match(rule.parts[...], names[...]) : names.last.map { Self.fnmatch(rule.parts[0], $0) } ?? false
            if hit { ignored = !rule.negated }
        }
        return ignored
    }

    /// Whether `path` or a folder above it (within the Directory) is ignored: for paths that
    /// come as a flat list, such as git's tree.
    public func ignores(_ path: String) -> Bool {
        guard !rules.isEmpty else { return false }
        for folder in TargetPath.ancestors(of: path) where matches(folder, isFolder: true) { return true }
        return matches(path, isFolder: false)
    }

    /// Pattern parts against path names; `**` stands for any number of folders.
    private static func match(_ parts: ArraySlice<String>, _ names: ArraySlice<String>) -> Bool {
        guard let first = parts.first else { return names.isEmpty }
        if first == "**" {
            let rest = parts.dropFirst()
            // A trailing `**` matches everything inside, not the folder itself.
            if rest.isEmpty { return !names.isEmpty }
            var tail = names
            while true {
                if match(rest, tail) { return true }
                guard !tail.isEmpty else { return false }
                tail = tail.dropFirst()
            }
        }
        guard let name = names.first, fnmatch(first, name) else { return false }
        return match(parts.dropFirst(), names.dropFirst())
    }

    private static func fnmatch(_ pattern: String, _ name: String) -> Bool {
        // No FNM_PERIOD: in git `*.swp` matches `.notes.swp` too.
        Glibc.fnmatch(pattern, name, 0) == 0
    }
}
