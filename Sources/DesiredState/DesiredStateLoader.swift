import VersionSource

/// A revision's desired state, whole and valid.
public struct DesiredState: Sendable {
    public let revision: String
    /// Sorted by path, so parents come before what they hold (Services and Commands first).
    public let resources: [DesiredResource]
    public let settings: Settings

    public init(revision: String, resources: [DesiredResource], settings: Settings) {
        self.revision = revision
        // Services and Commands have no path: they come first, by id.
        self.resources = resources.sorted { $0.path != $1.path ? $0.path < $1.path : $0.id < $1.id }
        self.settings = settings
    }
}

/// A revision that must not be applied, and every reason why.
public struct InvalidRevision: Error, CustomStringConvertible, Sendable {
    public let revision: String
    public let diagnostics: [Diagnostic]
    public var description: String {
        "revision \(revision.prefix(12)) is invalid and will not be applied:\n" + diagnostics.map { "  \($0)" }.joined(separator: "\n")
    }
}

/// Remembers parsed manifests so each manifest blob is parsed once.
public protocol ManifestCache: Sendable {
    func cachedManifest(blob: String, file: String) -> ParsedManifest?
    func storeManifest(_ manifest: ParsedManifest, blob: String, file: String)
}

/// Builds the desired state of a revision from the mirror: lists its tree once, parses only the
/// manifests the cache does not hold, and checks everything that needs the whole revision.
public struct DesiredStateLoader: Sendable {
    public static let manifestFolder = "resources/"
    public static let settingsFile = "plumb.yaml"

    let mirror: Mirror
    let cache: (any ManifestCache)?

    public init(mirror: Mirror, cache: (any ManifestCache)?) {
        self.mirror = mirror
        self.cache = cache
    }

    /// The desired state of `revision`, or `InvalidRevision` listing every problem.
    public func load(revision: String) async throws -> DesiredState {
        let entries = try await mirror.listTree(revision: revision)
        let yamlEntries = entries.filter {
            $0.path.hasPrefix(Self.manifestFolder) && ($0.path.hasSuffix(".yaml") || $0.path.hasSuffix(".yml"))
        }
        let manifestEntries = yamlEntries.filter { $0.kind == .file || $0.kind == .executable }
        let settingsEntry = entries.first { $0.path == Self.settingsFile }

        var parsed: [(TreeEntry, ParsedManifest)] = []
        var toRead: [TreeEntry] = []
        for entry in manifestEntries {
            if let hit = cache?.cachedManifest(blob: entry.oid, file: entry.path) { parsed.append((entry, hit)) } else { toRead.append(entry) }
        }
        let blobs = try await mirror.readBlobs(toRead.map(\.oid) + (settingsEntry.map { [$0.oid] } ?? []))
        for entry in toRead {
            let manifest = ManifestParser.parse(blobs[entry.oid] ?? [], file: entry.path)
            cache?.storeManifest(manifest, blob: entry.oid, file: entry.path)
            parsed.append((entry, manifest))
        }
        parsed.sort { $0.0.path < $1.0.path }

        var diagnostics = yamlEntries.filter { $0.kind == .symlink || $0.kind == .submodule }.map {
            Diagnostic(SourceLocation(file: $0.path, line: 1, column: 1), "a manifest must be a regular file, not a \($0.kind == .symlink ? "symlink" : "submodule")")
        }
        diagnostics += parsed.flatMap(\.1.diagnostics)
        var settings = Settings()
        if let settingsEntry {
            let (read, problems) = Settings.parse(blobs[settingsEntry.oid] ?? [], file: Self.settingsFile)
            settings = read
            diagnostics += problems
        }
        var assembler = Assembler(entries: entries)
        for document in parsed.flatMap(\.1.documents) { assembler.add(document) }
        assembler.checkNesting()
        assembler.checkDependencies()
        diagnostics += assembler.diagnostics
        guard diagnostics.isEmpty else { throw InvalidRevision(revision: revision, diagnostics: diagnostics) }
        return DesiredState(revision: revision, resources: assembler.resources, settings: settings)
    }
}

/// Turns documents into resources, checking what only the whole revision can tell.
struct Assembler {
    let blobsByPath: [String: TreeEntry]
    let allEntries: [TreeEntry]
    var resources: [DesiredResource] = []
    var diagnostics: [Diagnostic] = []
    private var byID: [ResourceID: SourceLocation] = [:]
    private var byPath: [String: (ResourceID, SourceLocation)] = [:]
    /// Each resource's `dependsOn`, `reloadOn`, `restartOn` and `onChangeOf`, with where it names each id.
    private var references: [ResourceID: [Reference]] = [:]

    init(entries: [TreeEntry]) {
        allEntries = entries
        blobsByPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    mutating func add(_ doc: ManifestDocument) {
        guard claim(doc.id, path: doc.path, idAt: doc.nameLocation, pathAt: doc.pathLocation) else { return }
        switch doc.kind {
        case .file:
            if let content = doc.content {
                let bytes = Array(content.utf8)
                append(doc, .file(blob: BlobHasher.id(of: bytes), inline: bytes, mode: doc.mode ?? 0o644))
            } else if let source = doc.source, let at = doc.sourceLocation {
                guard let entry = blobsByPath[source] else {
                    let isFolder = allEntries.contains { $0.path.hasPrefix(source + "/") }
                    diagnostics.append(Diagnostic(at, isFolder
                        ? "source \(source) is a folder; a File needs a file (use kind: Directory for a folder)"
                        : "source \(source) does not exist in this revision"))
                    return
                }
                guard entry.validUTF8 else {
                    diagnostics.append(Diagnostic(at, "source \(entry.path) is not valid UTF-8 in git"))
                    return
                }
                guard entry.kind == .file || entry.kind == .executable else {
                    diagnostics.append(Diagnostic(at, "source \(source) is a \(entry.kind == .symlink ? "symlink" : "submodule") in git, not a file"))
                    return
                }
                // git's mode of the source (an executable script stays executable) unless `mode` says.
                append(doc, .file(blob: entry.oid, inline: nil, mode: doc.mode ?? entry.fileMode))
            }
        case .directory:
            append(doc, .directory(mode: doc.mode ?? 0o755, prune: doc.prune))
            if let source = doc.source, let at = doc.sourceLocation { expand(doc, source: source, at: at) }
        case .symlink:
            append(doc, .symlink(target: doc.linkTarget ?? ""))
        case .service:
            if let spec = doc.service { append(doc, .service(spec)) }
        case .command:
            if let spec = doc.command { append(doc, .command(spec)) }
        }
    }

    /// Declares every file of the folder `source` as its own resource `File/<name>/<relative path>`.
    private mutating func expand(_ doc: ManifestDocument, source: String, at: SourceLocation) {
        let prefix = source + "/"
        let members = allEntries.filter { $0.path.hasPrefix(prefix) }
        if members.isEmpty {
            diagnostics.append(Diagnostic(at, blobsByPath[source] != nil
                ? "source \(source) is a file; a Directory needs a folder"
                : "source \(source) does not exist in this revision"))
            return
        }
        for entry in members {
            let relative = String(entry.path.dropFirst(prefix.count))
            // git's names become target paths here: the same rules as a manifest's path, and no
            // name is ever written under another (`..` from `git mktree`, control bytes, bad UTF-8).
            if let problem = TargetPath.problem(withDerived: relative, validUTF8: entry.validUTF8) {
                diagnostics.append(Diagnostic(at, "\(problem.message(field: "the name \(entry.path)", root: "the target")) (in source \(source))"))
                continue
            }
            guard entry.kind == .file || entry.kind == .executable else {
                diagnostics.append(Diagnostic(at, "\(entry.path) is a \(entry.kind == .symlink ? "symlink" : "submodule") in git; declare it with its own manifest"))
                continue
            }
            let id = ResourceID(kind: ResourceKind.file.rawValue, name: "\(doc.name)/\(relative)")
            let path = doc.path + "/" + relative
            guard claim(id, path: path, idAt: at, pathAt: at) else { continue }
            resources.append(DesiredResource(
                id: id, path: path, shape: .file(blob: entry.oid, inline: nil, mode: entry.fileMode),
                sensitive: false, origin: at, owner: doc.id, validate: doc.validate))
        }
    }

    private mutating func append(_ doc: ManifestDocument, _ shape: DesiredShape) {
        resources.append(DesiredResource(id: doc.id, path: doc.path, shape: shape, sensitive: doc.sensitive, origin: doc.location,
                                         dependsOn: doc.dependsOn.map(\.id), validate: doc.kind == .file ? doc.validate : nil))
        if !doc.dependsOn.isEmpty || !doc.notifiedBy.isEmpty { references[doc.id] = doc.dependsOn + doc.notifiedBy }
    }

    /// Records an id and a path, or complains that another resource has it already.
    private mutating func claim(_ id: ResourceID, path: String, idAt: SourceLocation, pathAt: SourceLocation) -> Bool {
        if let earlier = byID[id] {
            diagnostics.append(Diagnostic(idAt, "\(id) is declared twice (first at \(earlier))"))
            return false
        }
        // A Service or a Command has no path to claim.
        let inTarget = ResourceKind(rawValue: id.kind)?.isInTarget ?? true
        if inTarget, let (other, earlier) = byPath[path] {
            diagnostics.append(Diagnostic(pathAt, "path \(path) is already declared by \(other) at \(earlier)"))
            return false
        }
        byID[id] = idAt
        if inTarget { byPath[path] = (id, pathAt) }
        return true
    }

    /// Every id `dependsOn` (or a notification) names is declared, and following them never
    /// comes back: one graph, since a notified resource acts after what notifies it. A cycle is
    /// reported at the reference that closes it, naming the whole loop.
    mutating func checkDependencies() {
        guard !references.isEmpty else { return }
        for (_, list) in references.sorted(by: { $0.key < $1.key }) {
            for reference in list where byID[reference.id] == nil {
                diagnostics.append(Diagnostic(reference.location, "\(reference.field) names \(reference.id), which this revision does not declare"))
            }
        }
        enum Mark { case visiting, done }
        var marks: [ResourceID: Mark] = [:]
        var trail: [ResourceID] = []
        var reported = false
        func visit(_ id: ResourceID) {
            marks[id] = .visiting
            trail.append(id)
            for reference in references[id] ?? [] where byID[reference.id] != nil {
                switch marks[reference.id] {
                case .visiting?:
                    guard !reported else { continue }
                    reported = true
                    let loop = trail.drop { $0 != reference.id } + [reference.id]
                    diagnostics.append(Diagnostic(reference.location, "\(reference.field) makes a cycle: \(loop.map(\.description).joined(separator: " → "))"))
                case .done?: continue
                case nil: visit(reference.id)
                }
            }
            trail.removeLast()
            marks[id] = .done
        }
        for id in references.keys.sorted() where marks[id] == nil { visit(id) }
    }

    /// A path cannot lie under a File or a Symlink.
    mutating func checkNesting() {
        let leaves = Dictionary(resources.filter { $0.kind == .file || $0.kind == .symlink }.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
        for resource in resources where resource.kind.isInTarget {
            for ancestor in TargetPath.ancestors(of: resource.path) {
                if let leaf = leaves[ancestor] {
                    diagnostics.append(Diagnostic(resource.origin, "path \(resource.path) lies under \(leaf.id), which is a \(leaf.kind == .file ? "file" : "symlink") (declared at \(leaf.origin))"))
                    break
                }
            }
        }
    }
}
