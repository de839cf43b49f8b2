/// One entry of a git tree listing (`ls-tree -r -z`), its path relative to the listed tree.
public struct TreeEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, executable, symlink, submodule, other }

    public let mode: String
    public let oid: String
    /// The path as text. A name that is not valid UTF-8 keeps its bad bytes as `\xNN` here,
    /// so that it can be named, and `validUTF8` is false: such a name is never used as a path.
    public let path: String
    public let validUTF8: Bool

    public init(mode: String, oid: String, path: String, validUTF8: Bool = true) {
        self.mode = mode
        self.oid = oid
        self.path = path
        self.validUTF8 = validUTF8
    }

    public var kind: Kind {
        switch mode {
        case "100644": return .file
        case "100755": return .executable
        case "120000": return .symlink
        case "160000": return .submodule
        default: return .other
        }
    }

    /// The permission bits a checkout gives this entry.
    public var fileMode: UInt32 { kind == .executable ? 0o755 : 0o644 }

    /// Parses `<mode> SP <type> SP <oid> TAB <path> NUL` records.
    public static func parse(_ bytes: [UInt8]) -> [TreeEntry] {
        var entries: [TreeEntry] = []
        for record in bytes.split(separator: 0, omittingEmptySubsequences: true) {
            guard let tab = record.firstIndex(of: 9) else { continue }
            let fields = record[record.startIndex..<tab].split(separator: 32)
            guard fields.count == 3 else { continue }
            let name = record[(tab + 1)...]
            let valid = String(validating: name, as: UTF8.self)
            entries.append(TreeEntry(
                mode: String(decoding: fields[0], as: UTF8.self),
                oid: String(decoding: fields[2], as: UTF8.self),
                path: valid ?? Self.escapingInvalidBytes(name), validUTF8: valid != nil))
        }
        return entries
    }

    /// The bytes as text, each byte that is not part of valid UTF-8 written as `\xNN`.
    public static func escapingInvalidBytes(_ bytes: ArraySlice<UInt8>) -> String {
        var out = ""
        var rest = bytes[...]
        while !rest.isEmpty {
            // The longest valid prefix, then one bad byte.
            var end = rest.endIndex
            while end > rest.startIndex, String(validating: rest[rest.startIndex..<end], as: UTF8.self) == nil {
                end = rest.index(before: end)
            }
            out += String(decoding: rest[rest.startIndex..<end], as: UTF8.self)
            if end < rest.endIndex {
                out += "\\x" + String(rest[end], radix: 16, uppercase: false)
                rest = rest[rest.index(after: end)...]
            } else {
                rest = rest[end...]
            }
        }
        return out
    }
}
