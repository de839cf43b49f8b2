/// The kinds of resource a manifest can declare.
public enum ResourceKind: String, Sendable, Codable, Comparable {
    case file = "File"
    case directory = "Directory"
    case symlink = "Symlink"
    case service = "Service"
    case command = "Command"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// Whether a resource of this kind lives at a path of the target (File, Directory, Symlink);
    /// a Service or a Command acts on the machine instead and has no path.
    public var isInTarget: Bool { self == .file || self == .directory || self == .symlink }

    /// The kinds, as error messages list them.
    public static let allNames = "File, Directory, Symlink, Service or Command"
}

/// A resource's name, `Kind/name`, split at the first `/`.
public struct ResourceID: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let kind: String
    public let name: String

    public init(kind: String, name: String) {
        self.kind = kind
        self.name = name
    }

    public init?(_ text: String) {
        guard let slash = text.firstIndex(of: "/"), slash != text.startIndex else { return nil }
        kind = String(text[..<slash])
        name = String(text[text.index(after: slash)...])
        guard !name.isEmpty else { return nil }
    }

    public var description: String { "\(kind)/\(name)" }
    public static func < (a: Self, b: Self) -> Bool { a.description < b.description }
}

/// What a resource should be on disk.
///
/// The few large shapes are boxed (`indirect`), so that every resource is not as big as a Service:
/// that made each of ten thousand files a third of a kilobyte.
public enum DesiredShape: Sendable, Hashable {
    /// A regular file whose content is the blob `blob`; `inline` holds the bytes when the manifest
    /// gave them (`content:`), otherwise they are read from the mirror when needed.
    case file(blob: String, inline: [UInt8]?, mode: UInt32)
    indirect case directory(DirectorySpec)
    case symlink(target: String)
    indirect case service(ServiceSpec)
    indirect case command(CommandSpec)
}

/// A Directory's fields beyond its path.
public struct DirectorySpec: Sendable, Hashable {
    /// nil only for the target root (`path: .`) without `mode`: its mode is left as it is.
    public var mode: UInt32?
    /// Delete files plumb applied that are no longer in `source`.
    public var prune = false
    /// Delete files plumb did not write that are neither declared nor ignored (saved first).
    public var purge = false
    public var ignore = IgnoreRules.none
    /// How many files of `source` `ignore` left out, for the detail pane.
    public var ignoredInSource = 0

    public init(mode: UInt32?, prune: Bool = false, purge: Bool = false, ignore: IgnoreRules = .none, ignoredInSource: Int = 0) {
        self.mode = mode
        self.prune = prune
        self.purge = purge
        self.ignore = ignore
        self.ignoredInSource = ignoredInSource
    }
}

/// A user or a group as a manifest names it: resolved on the target machine when applied.
public enum Principal: Sendable, Hashable, Codable, CustomStringConvertible {
    case name(String)
    case number(UInt32)

    /// A number when it is all digits, else a name.
    public init(_ text: String) {
        if !text.isEmpty, text.allSatisfy(\.isASCII), let number = UInt32(text) { self = .number(number) } else { self = .name(text) }
    }

    public var description: String {
        switch self {
        case .name(let name): return name
        case .number(let number): return String(number)
        }
    }
}

/// `owner` and `group` of a File, Directory or Symlink; nil fields are left as they are.
public struct Ownership: Sendable, Hashable, Codable {
    public var user: Principal?
    public var group: Principal?

    public init(user: Principal? = nil, group: Principal? = nil) {
        self.user = user
        self.group = group
    }

    public static let unmanaged = Ownership()
    public var isManaged: Bool { user != nil || group != nil }

    /// Fields a file of a Directory's source does not say itself come from its Directory.
    public func over(_ directory: Ownership) -> Ownership { Ownership(user: user ?? directory.user, group: group ?? directory.group) }
}

/// How a File's source is encrypted in git (`decrypt:` in its manifest).
public enum Cipher: String, Sendable, Hashable, Codable, CaseIterable {
    /// age (age-encryption.org/v1), binary or armored, decrypted with Debian's `age`.
    case age

    /// The first bytes of every ciphertext of this kind, binary or armored.
    public var headers: [String] {
        switch self {
        case .age: return ["age-encryption.org/v1\n", "-----BEGIN AGE ENCRYPTED FILE-----"]
        }
    }

    /// Whether `bytes` begin as this cipher's ciphertext does (leading blank lines allowed in armor).
    public func looksEncrypted(_ bytes: [UInt8]) -> Bool {
        let start = bytes.drop { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: " ") }
        return headers.contains { start.starts(with: $0.utf8) }
    }
}

/// A File kept encrypted in git: as declared, and what this process made of it. Only `declared`
/// is ever stored; the other two live in one engine's memory.
public enum Encryption: Sendable, Hashable {
    /// As the manifest declares it: the shape's blob is the ciphertext's.
    case declared(Cipher)
    /// Decrypted in memory: the shape holds the plain text, and `ciphertext` is git's blob.
    indirect case decrypted(Cipher, ciphertext: String)
    /// Could not be decrypted, and why (the reason never holds any of the content).
    indirect case undecryptable(Cipher, ciphertext: String, why: String)

    public var cipher: Cipher {
        switch self {
        case .declared(let c), .decrypted(let c, _), .undecryptable(let c, _, _): return c
        }
    }
}

/// One resource of a revision's desired state, validated. A class: statuses, plans and views all
/// point at the one instance rather than copying its many strings.
public final class DesiredResource: Sendable, Hashable {
    public let id: ResourceID
    /// Relative to the target root, normalized: no `.`, no `..`, no empty component; "" for the
    /// target root itself (a Directory `path: .`), and for a Service or a Command, which live on
    /// the machine, not in the target.
    public let path: String
    public let shape: DesiredShape
    /// Content is never shown, in any diff or view.
    public let sensitive: Bool
    /// The manifest document that declared it.
    public let origin: SourceLocation
    /// For a file expanded from a Directory's `source`, that Directory.
    public let owner: ResourceID?
    /// `dependsOn`: applied only after these succeeded (all declared; no cycle).
    public let dependsOn: [ResourceID]
    /// A File's `validate` argv (its Directory's, for a file of a Directory's source).
    public let validate: [String]?
    /// `owner` and `group` (a file of a Directory's source takes its Directory's).
    public let ownership: Ownership
    /// `decrypt:`: a File whose source is ciphertext in git; always sensitive.
    public let encryption: Encryption?

    public init(id: ResourceID, path: String, shape: DesiredShape, sensitive: Bool, origin: SourceLocation, owner: ResourceID? = nil,
                dependsOn: [ResourceID] = [], validate: [String]? = nil, ownership: Ownership = .unmanaged, encryption: Encryption? = nil) {
        self.id = id
        self.path = path
        self.shape = shape
        self.sensitive = sensitive
        self.origin = origin
        self.owner = owner
        self.dependsOn = dependsOn
        self.validate = validate
        self.ownership = ownership
        self.encryption = encryption
    }

    /// The same resource with another shape (a template's rendered content, a secret's plain
    /// text) and, when given, what became of its encryption.
    public func with(shape: DesiredShape, encryption: Encryption? = nil) -> DesiredResource {
        DesiredResource(id: id, path: path, shape: shape, sensitive: sensitive, origin: origin, owner: owner,
                        dependsOn: dependsOn, validate: validate, ownership: ownership, encryption: encryption ?? self.encryption)
    }

    /// The resource as its revision declares it: an encrypted File's ciphertext, never its plain
    /// text. What caches store.
    public var declared: DesiredResource {
        switch encryption {
        case .decrypted(let cipher, let ciphertext), .undecryptable(let cipher, let ciphertext, _):
            guard case .file(_, _, let mode) = shape else { return self }
            return with(shape: .file(blob: ciphertext, inline: nil, mode: mode), encryption: .declared(cipher))
        case .declared, nil:
            return self
        }
    }

    public static func == (a: DesiredResource, b: DesiredResource) -> Bool {
        a === b || (a.id == b.id && a.path == b.path && a.shape == b.shape && a.sensitive == b.sensitive && a.origin == b.origin
                    && a.owner == b.owner && a.dependsOn == b.dependsOn && a.validate == b.validate && a.ownership == b.ownership
                    && a.encryption == b.encryption)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(id)
        hasher.combine(path)
    }

    public var kind: ResourceKind {
        switch shape {
        case .file: return .file
        case .directory: return .directory
        case .symlink: return .symlink
        case .service: return .service
        case .command: return .command
        }
    }

    /// Resources whose change in a sync makes this one act afterwards (a Service's `reloadOn`
    /// and `restartOn`, a Command's `onChangeOf`).
    public var notifiedBy: [ResourceID] {
        switch shape {
        case .service(let spec): return spec.restartOn + spec.reloadOn.filter { !spec.restartOn.contains($0) }
        case .command(let spec): return spec.onChangeOf
        default: return []
        }
    }

    /// Where it acts, for lists: the path (`.` for the target root), a Service's unit, a Command's argv.
    public var place: String {
        switch shape {
        case .service(let spec): return spec.unit
        case .command(let spec): return spec.run.joined(separator: " ")
        default: return path.isEmpty ? "." : path
        }
    }
}
