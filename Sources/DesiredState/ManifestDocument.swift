import Glibc

/// One manifest document, checked on its own (the checks that need the whole revision, such as
/// unique ids or a `source` that exists, come later). Cached per manifest blob id.
public struct ManifestDocument: Sendable, Hashable, Codable {
    public let kind: ResourceKind
    public let name: String
    public let location: SourceLocation
    public let nameLocation: SourceLocation
    public let path: String
    public let pathLocation: SourceLocation
    public let mode: UInt32?
    /// Inline content (`content:`), and where its first line is in the manifest.
    public let content: String?
    public let contentLocation: SourceLocation?
    /// A file or folder of the repository (`source:`), as `SourcePath.normalize` leaves it:
    /// relative to the `--path` subdirectory, or from the repository root when it starts with `/`.
    public let source: String?
    public let sourceLocation: SourceLocation?
    public let sensitive: Bool
    /// `decrypt:`: the source is ciphertext of this kind, decrypted when it is applied.
    public let decrypt: Cipher?
    public let prune: Bool
    public let purge: Bool
    /// A Directory's `ignore` globs.
    public let ignore: [String]
    /// A File whose content is a Mustache template.
    public let template: Bool
    public let ownership: Ownership
    /// `hosts:` globs: declared only on hosts whose name matches one; empty: on every host.
    public let hosts: [String]
    /// A Symlink's link text.
    public let linkTarget: String?
    /// `dependsOn`: resources applied before this one, each where the manifest names it.
    public let dependsOn: [Reference]
    /// `validate`: the argv run on the staged new content before it goes live.
    public let validate: [String]?
    /// A Service's spec.
    public let service: ServiceSpec?
    /// A Command's spec.
    public let command: CommandSpec?
    /// `reloadOn`, `restartOn`, `onChangeOf`: the resources that notify it, each where it is named.
    public let notifiedBy: [Reference]

    public var id: ResourceID { ResourceID(kind: kind.rawValue, name: name) }

    /// Whether the document is declared on the host `name`.
    public func isDeclared(on host: String) -> Bool {
        hosts.isEmpty || hosts.contains { fnmatch($0, host, 0) == 0 }
    }
}

/// A resource id as a manifest names it, with its place, for complaints about it.
public struct Reference: Sendable, Hashable, Codable {
    public let id: ResourceID
    public let location: SourceLocation
    /// The field that names it: `dependsOn`, `restartOn` ...
    public let field: String
}

/// All documents of one manifest file, and what was wrong with it.
public struct ParsedManifest: Sendable, Hashable, Codable {
    public var documents: [ManifestDocument] = []
    public var diagnostics: [Diagnostic] = []

    public init(documents: [ManifestDocument] = [], diagnostics: [Diagnostic] = []) {
        self.documents = documents
        self.diagnostics = diagnostics
    }
}
