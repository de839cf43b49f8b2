import VersionSource

/// The files `source:` fields can name: the `--path` subdirectory's (paths relative to it), and
/// the whole repository's when a source reads shared content from the root (`/...`).
struct SourceTree {
    let scope: String
    let entries: [TreeEntry]
    private let byPath: [String: TreeEntry]
    private let whole: [TreeEntry]?
    private let wholeByPath: [String: TreeEntry]

    init(_ entries: [TreeEntry], scope: String, wholeRepository: [TreeEntry]?) {
        self.scope = scope
        self.entries = entries
        byPath = Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        whole = wholeRepository
        wholeByPath = Dictionary((wholeRepository ?? []).map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Where `path` (in the whole repository) is looked up: the subdirectory's listing when it
    /// lies there, else the whole repository's.
    private func scoped(_ path: String) -> String? {
        scope.isEmpty ? path : TargetPath.isInside(path, scope) ? TargetPath.relative(path, to: scope) : nil
    }

    func entry(_ path: String) -> TreeEntry? {
        if let relative = scoped(path) { return byPath[relative] }
        return wholeByPath[path]
    }

    /// The files below `folder`, with their paths relative to it.
    func members(of folder: String) -> [(relative: String, entry: TreeEntry)] {
        let (list, inner) = scoped(folder).map { (entries, $0) } ?? (whole ?? [], folder)
        let prefix = inner + "/"
        return list.filter { $0.path.hasPrefix(prefix) }.map { (String($0.path.dropFirst(prefix.count)), $0) }
    }
}

/// Turns documents into resources, checking what only the whole revision can tell.
struct Assembler {
    let tree: SourceTree
    var resources: [DesiredResource] = []
    var diagnostics: [Diagnostic] = []
    /// Files whose content is a template, rendered once values are read.
    private(set) var templates: [Template] = []
    private var byID: [ResourceID: SourceLocation] = [:]
    private var byPath: [String: (ResourceID, SourceLocation)] = [:]
    /// Each resource's `dependsOn`, `reloadOn`, `restartOn` and `onChangeOf`, with where it names each id.
    private var references: [ResourceID: [Reference]] = [:]

    /// Files whose source is ciphertext, checked to be ciphertext once the blobs are read.
    private(set) var secrets: [Secret] = []

    /// A File declared `decrypt:`: where in `resources` it is, and its source.
    struct Secret {
        let index: Int
        let blob: String
        let path: String
        let cipher: Cipher
        let at: SourceLocation
    }

    /// A File declared `template: true`: where in `resources` it is, and its template text.
    struct Template {
        enum Text {
            /// A blob of the repository, and its path there (where complaints point).
            case blob(String, path: String)
            /// `content:`, and where the manifest holds it.
            case inline(String, at: SourceLocation)
        }
        let index: Int
        let text: Text
    }

    init(tree: SourceTree) {
        self.tree = tree
    }

    mutating func add(_ doc: ManifestDocument) {
        guard claim(doc.id, path: doc.path, idAt: doc.nameLocation, pathAt: doc.pathLocation) else { return }
        switch doc.kind {
        case .file:
            if let content = doc.content {
                let bytes = Array(content.utf8)
                if doc.template { templates.append(Template(index: resources.count, text: .inline(content, at: doc.contentLocation ?? doc.location))) }
                append(doc, .file(blob: BlobHasher.id(of: bytes), inline: bytes, mode: doc.mode ?? 0o644))
            } else if let source = resolve(doc) {
                let at = doc.sourceLocation ?? doc.location, written = doc.source ?? source
                guard let entry = tree.entry(source) else {
                    diagnostics.append(Diagnostic(at, !tree.members(of: source).isEmpty
                        ? "source \(written) is a folder; a File needs a file (use kind: Directory for a folder)"
                        : "source \(written) does not exist in this revision"))
                    return
                }
                guard entry.validUTF8 else {
                    diagnostics.append(Diagnostic(at, "source \(entry.path) is not valid UTF-8 in git"))
                    return
                }
                guard entry.kind == .file || entry.kind == .executable else {
                    diagnostics.append(Diagnostic(at, "source \(written) is a \(entry.kind == .symlink ? "symlink" : "submodule") in git, not a file"))
                    return
                }
                if doc.template { templates.append(Template(index: resources.count, text: .blob(entry.oid, path: source))) }
                if let cipher = doc.decrypt { secrets.append(Secret(index: resources.count, blob: entry.oid, path: entry.path, cipher: cipher, at: at)) }
                // git's mode of the source (an executable script stays executable) unless `mode` says.
                append(doc, .file(blob: entry.oid, inline: nil, mode: doc.mode ?? entry.fileMode))
            }
        case .directory:
            // The target root keeps its own mode unless `mode` says: a home directory's is not plumb's.
            var spec = DirectorySpec(mode: doc.mode ?? (doc.path.isEmpty ? nil : 0o755), prune: doc.prune, purge: doc.purge,
                                     ignore: IgnoreRules(patterns: doc.ignore))
            let index = resources.count
            append(doc, .directory(spec))
            if doc.source != nil, let source = resolve(doc) {
                spec.ignoredInSource = expand(doc, source: source, ignore: spec.ignore, at: doc.sourceLocation ?? doc.location)
                if spec.ignoredInSource > 0 { resources[index] = resources[index].with(shape: .directory(spec)) }
            }
        case .symlink:
            append(doc, .symlink(target: doc.linkTarget ?? ""))
        case .service:
            if let spec = doc.service { append(doc, .service(spec)) }
        case .command:
            if let spec = doc.command { append(doc, .command(spec)) }
        }
    }

    /// The document's `source` as a path of the whole repository, or nil after a complaint.
    private mutating func resolve(_ doc: ManifestDocument) -> String? {
        guard let source = doc.source else { return nil }
        switch SourcePath.resolve(source, scope: tree.scope) {
        case .success(let path): return path
        case .failure(let refusal):
            diagnostics.append(Diagnostic(doc.sourceLocation ?? doc.location, refusal.message))
            return nil
        }
    }

    /// Gives the template at its place in `resources` its rendered content.
    mutating func rendered(_ template: Template, _ text: String) {
        let resource = resources[template.index]
        guard case .file(_, _, let mode) = resource.shape else { return }
        let bytes = Array(text.utf8)
        resources[template.index] = resource.with(shape: .file(blob: BlobHasher.id(of: bytes), inline: bytes, mode: mode))
    }

    /// Declares every file of the folder `source` as its own resource `File/<name>/<relative
    /// path>`, but those `ignore` matches; returns how many it matched.
    private mutating func expand(_ doc: ManifestDocument, source: String, ignore: IgnoreRules, at: SourceLocation) -> Int {
        let members = tree.members(of: source), written = doc.source ?? source
        if members.isEmpty {
            diagnostics.append(Diagnostic(at, tree.entry(source) != nil
                ? "source \(written) is a file; a Directory needs a folder"
                : "source \(written) does not exist in this revision"))
            return 0
        }
        var ignored = 0
        for (relative, entry) in members {
            // git's names become target paths here: the same rules as a manifest's path, and no
            // name is ever written under another (`..` from `git mktree`, control bytes, bad UTF-8).
            if let problem = TargetPath.problem(withDerived: relative, validUTF8: entry.validUTF8) {
                diagnostics.append(Diagnostic(at, "\(problem.message(field: "the name \(entry.path)", root: "the target")) (in source \(written))"))
                continue
            }
            if ignore.ignores(relative) {
                ignored += 1
                continue
            }
            guard entry.kind == .file || entry.kind == .executable else {
                diagnostics.append(Diagnostic(at, "\(entry.path) is a \(entry.kind == .symlink ? "symlink" : "submodule") in git; declare it with its own manifest"))
                continue
            }
            let id = ResourceID(kind: ResourceKind.file.rawValue, name: "\(doc.name)/\(relative)")
            let path = TargetPath.join(doc.path, relative)
            guard claim(id, path: path, idAt: at, pathAt: at) else { continue }
            resources.append(DesiredResource(
                id: id, path: path, shape: .file(blob: entry.oid, inline: nil, mode: entry.fileMode),
                sensitive: false, origin: at, owner: doc.id, validate: doc.validate, ownership: doc.ownership))
        }
        return ignored
    }

    private mutating func append(_ doc: ManifestDocument, _ shape: DesiredShape) {
        resources.append(DesiredResource(id: doc.id, path: doc.path, shape: shape, sensitive: doc.sensitive, origin: doc.location,
                                         dependsOn: doc.dependsOn.map(\.id), validate: doc.kind == .file ? doc.validate : nil,
                                         ownership: doc.ownership, encryption: doc.decrypt.map { .declared($0) }))
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
