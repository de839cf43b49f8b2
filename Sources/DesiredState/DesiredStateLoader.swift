import VersionSource

/// A revision's desired state, whole and valid.
public struct DesiredState: Sendable {
    public let revision: String
    /// The host it was rendered for: one revision declares different resources on each host.
    public let host: String
    /// Sorted by path, so parents come before what they hold (Services and Commands first).
    public private(set) var resources: [DesiredResource]
    public let settings: Settings

    public init(revision: String, host: String = "", resources: [DesiredResource], settings: Settings) {
        // Services and Commands have no path: they come first, by id.
        self.init(revision: revision, host: host, inOrder: resources.sorted { $0.path != $1.path ? $0.path < $1.path : $0.id < $1.id },
                  settings: settings)
    }

    /// A desired state whose resources are already in the order `init` sorts them into: one read
    /// back from a cache written from a DesiredState. Sorting ten thousand paths again took a
    /// third of the time such a read takes.
    public init(revision: String, host: String = "", inOrder resources: [DesiredResource], settings: Settings) {
        self.revision = revision
        self.host = host
        self.resources = resources
        self.settings = settings
    }

    /// The same desired state with each resource replaced by another at the same path (a secret
    /// decrypted): kept in its order, not sorted again, since paths and ids are unchanged.
    public func replacing(_ replace: (DesiredResource) -> DesiredResource?) -> DesiredState {
        var copy = self
        copy.resources = resources.map { replace($0) ?? $0 }
        return copy
    }

    /// What caches made for this desired state are kept under: the revision and the host.
    public var key: String { host.isEmpty ? revision : revision + "@" + host }

    /// The revision and the host a `key` names (host names hold no `@`).
    public static func parts(ofKey key: String) -> (revision: String, host: String) {
        guard let at = key.firstIndex(of: "@") else { return (key, "") }
        return (String(key[..<at]), String(key[key.index(after: at)...]))
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

/// Remembers parsed manifests so each manifest blob is parsed once, and rendered templates so
/// each (template, values) pair is rendered once.
public protocol ManifestCache: Sendable {
    func cachedManifest(blob: String, file: String) -> ParsedManifest?
    func storeManifest(_ manifest: ParsedManifest, blob: String, file: String)
    func cachedRendering(key: String) -> String?
    func storeRendering(_ text: String, key: String)
}

/// Builds the desired state of a revision for one host from the mirror: lists its tree once,
/// parses only the manifests the cache does not hold, renders templates, and checks everything
/// that needs the whole revision.
public struct DesiredStateLoader: Sendable {
    public static let manifestFolder = "resources/"
    public static let settingsFile = "plumb.yaml"

    let mirror: Mirror
    let cache: (any ManifestCache)?

    public init(mirror: Mirror, cache: (any ManifestCache)?) {
        self.mirror = mirror
        self.cache = cache
    }

    /// The desired state of `revision` for `host` (default: this machine), or `InvalidRevision`
    /// listing every problem.
    public func load(revision: String, host: String = HostFacts.ownName()) async throws -> DesiredState {
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
        let documents = parsed.flatMap(\.1.documents).filter { $0.isDeclared(on: host) }
        // Shared content (`source: /...`) needs the whole repository's tree, not only the subdirectory's.
        let scope = mirror.source.path
        let wholeTree = !scope.isEmpty && documents.contains { $0.source?.hasPrefix("/") == true }
            ? try await mirror.listTree(revision: revision, wholeRepository: true) : nil
        var assembler = Assembler(tree: SourceTree(entries, scope: scope, wholeRepository: wholeTree))
        for document in documents { assembler.add(document) }
        assembler.checkNesting()
        assembler.checkDependencies()
        diagnostics += assembler.diagnostics
        if diagnostics.isEmpty && !assembler.templates.isEmpty {
            diagnostics += try await render(&assembler, entries: entries, host: host, revision: revision)
        }
        if !assembler.secrets.isEmpty {
            diagnostics += try await checkCiphertext(assembler.secrets)
        }
        guard diagnostics.isEmpty else { throw InvalidRevision(revision: revision, diagnostics: diagnostics) }
        return DesiredState(revision: revision, host: host, resources: assembler.resources, settings: settings)
    }

    /// A source declared `decrypt:` that is not ciphertext is a secret committed in the clear (or
    /// a wrong file): the revision is refused before anything could apply or show it.
    private func checkCiphertext(_ secrets: [Assembler.Secret]) async throws -> [Diagnostic] {
        let blobs = try await mirror.readBlobs(secrets.map(\.blob))
        return secrets.compactMap { secret in
            secret.cipher.looksEncrypted(blobs[secret.blob] ?? []) ? nil
                : Diagnostic(secret.at, "\(secret.path.escapingControlCharacters) is not \(secret.cipher.rawValue) ciphertext (it does not begin with \(secret.cipher.headers[0].dropLast())): encrypt it, such as age -r RECIPIENT -o \(secret.path.escapingControlCharacters) PLAINFILE")
        }
    }

    /// Renders every File declared `template: true` with the values for `host`; the facts are
    /// gathered only here, when a revision has templates.
    private func render(_ assembler: inout Assembler, entries: [TreeEntry], host: String, revision: String) async throws -> [Diagnostic] {
        let valueFiles = entries.filter { $0.path.hasPrefix(TemplateValues.varsFolder) && ($0.path.hasSuffix(".yaml") || $0.path.hasSuffix(".yml")) }
            .sorted { $0.path < $1.path }
            + entries.filter { $0.path == TemplateValues.hostsFolder + host + ".yaml" }
        let templateBlobs = assembler.templates.compactMap { template -> String? in
            if case .blob(let oid, _) = template.text { return oid }
            return nil
        }
        let blobs = try await mirror.readBlobs(valueFiles.map(\.oid) + templateBlobs)
        var values = TemplateValues()
        var diagnostics: [Diagnostic] = []
        for file in valueFiles { diagnostics += values.merge(blobs[file.oid] ?? [], file: file.path) }
        guard diagnostics.isEmpty else { return diagnostics }
        let root = values.with(HostFacts.thisMachine(as: host), revision: revision)
        let valuesKey = BlobHasher.id(of: Array(TemplateValues.canonical(root).utf8))
        for template in assembler.templates {
            let text: String, file: String, origin: (Int, Int), key: String
            switch template.text {
            case .blob(let oid, let path):
                guard let read = String(validating: blobs[oid] ?? [], as: UTF8.self) else {
                    diagnostics.append(Diagnostic(SourceLocation(file: path, line: 1, column: 1), "a template must be UTF-8 text"))
                    continue
                }
                (text, file, origin, key) = (read, path, (1, 1), oid)
            case .inline(let content, let at):
                (text, file, origin, key) = (content, at.file, (at.line, at.column), BlobHasher.id(of: Array(content.utf8)))
            }
            let cacheKey = key + ":" + valuesKey
            if let hit = cache?.cachedRendering(key: cacheKey) {
                assembler.rendered(template, hit)
                continue
            }
            switch TemplateRenderer.render(text, values: root, file: file, origin: origin) {
            case .text(let rendered):
                cache?.storeRendering(rendered, key: cacheKey)
                assembler.rendered(template, rendered)
            case .problems(let problems):
                diagnostics += problems
            }
        }
        return diagnostics
    }
}
