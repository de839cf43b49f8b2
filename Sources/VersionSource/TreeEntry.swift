/// One entry of a git tree listing (`ls-tree -r -z`), its path relative to the listed tree.
public struct TreeEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, executable, symlink, submodule, other }

    public let mode: String
    public let oid: String
    public let path: String

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
            entries.append(TreeEntry(
                mode: String(decoding: fields[0], as: UTF8.self),
                oid: String(decoding: fields[2], as: UTF8.self),
                path: String(decoding: record[(tab + 1)...], as: UTF8.self)))
        }
        return entries
    }
}
