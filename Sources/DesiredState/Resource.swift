/// The kinds of resource a manifest can declare.
public enum ResourceKind: String, Sendable, Codable, Comparable {
    case file = "File"
    case directory = "Directory"
    case symlink = "Symlink"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
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
public enum DesiredShape: Sendable, Hashable {
    /// A regular file whose content is the blob `blob`; `inline` holds the bytes when the manifest
    /// gave them (`content:`), otherwise they are read from the mirror when needed.
    case file(blob: String, inline: [UInt8]?, mode: UInt32)
    case directory(mode: UInt32, prune: Bool)
    case symlink(target: String)
}

/// One resource of a revision's desired state, validated. A class: statuses, plans and views all
/// point at the one instance rather than copying its many strings.
public final class DesiredResource: Sendable, Hashable {
    public let id: ResourceID
    /// Relative to the target root, normalized: no `.`, no `..`, no empty component.
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

    public init(id: ResourceID, path: String, shape: DesiredShape, sensitive: Bool, origin: SourceLocation, owner: ResourceID? = nil,
                dependsOn: [ResourceID] = [], validate: [String]? = nil) {
        self.id = id
        self.path = path
        self.shape = shape
        self.sensitive = sensitive
        self.origin = origin
        self.owner = owner
        self.dependsOn = dependsOn
        self.validate = validate
    }

    public static func == (a: DesiredResource, b: DesiredResource) -> Bool {
        a === b || (a.id == b.id && a.path == b.path && a.shape == b.shape && a.sensitive == b.sensitive && a.origin == b.origin
                    && a.owner == b.owner && a.dependsOn == b.dependsOn && a.validate == b.validate)
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
        }
    }
}
