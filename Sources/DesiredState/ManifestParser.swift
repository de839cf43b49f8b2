import Yams

/// Reads manifest files into documents, with a `file:line:column` for every complaint.
///
/// It works on Yams' node tree rather than `Decodable`, because nodes carry their position and
/// decoding errors do not.
public enum ManifestParser {
    static let topLevelFields: Set<String> = ["kind", "name", "spec", "dependsOn"]
    static let specFields: [ResourceKind: Set<String>] = [
        .file: ["path", "content", "source", "mode", "sensitive", "validate"],
        .directory: ["path", "mode", "source", "prune", "validate"],
        .symlink: ["path", "target"],
    ]

    /// Parses every document of the manifest file `file` (its path relative to the source root).
    public static func parse(_ bytes: [UInt8], file: String) -> ParsedManifest {
        var result = ParsedManifest()
        let (documents, problem) = YAMLReader.documents(bytes, file: file)
        for node in documents {
            var reader = DocumentReader(file: file)
            if let document = reader.read(node) { result.documents.append(document) }
            result.diagnostics += reader.diagnostics
        }
        if let problem { result.diagnostics.append(problem) }
        return result
    }
}

/// Walks one document's nodes, collecting complaints instead of stopping at the first.
struct DocumentReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    mutating func complain(_ node: Node, _ message: String) {
        diagnostics.append(Diagnostic(location(node), message))
    }

    /// The string of a scalar node, or a complaint naming the field.
    mutating func string(_ node: Node, field: String) -> String? {
        guard case .scalar(let scalar) = node else {
            complain(node, "`\(field)` must be a string")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node, field: String) -> Bool? {
        guard case .scalar(let scalar) = node, scalar.string == "true" || scalar.string == "false" else {
            complain(node, "`\(field)` must be true or false")
            return nil
        }
        return scalar.string == "true"
    }

    /// Reads a mode such as "0644": three or four octal digits.
    mutating func mode(_ node: Node) -> UInt32? {
        guard case .scalar(let scalar) = node,
              (3...4).contains(scalar.string.count), scalar.string.allSatisfy({ ("0"..."7").contains($0) }),
              let value = UInt32(scalar.string, radix: 8)
        else {
            complain(node, "bad mode \(node.scalar?.string.escapingControlCharacters ?? "(not a string)"): write three or four octal digits, such as \"0644\"")
            return nil
        }
        return value
    }

    /// The fields of a mapping, with complaints for unknown and repeated ones.
    mutating func fields(_ node: Node, allowed: Set<String>, what: String) -> [String: (key: Node, value: Node)]? {
        guard case .mapping(let mapping) = node else {
            complain(node, "\(what) must be a mapping of fields")
            return nil
        }
        var fields: [String: (key: Node, value: Node)] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                complain(key, "a field name must be plain text, not a \(key.mapping != nil ? "mapping" : "list") (in \(what))")
                continue
            }
            if name.isEmpty {
                complain(key, "a field name is empty in \(what) (expected \(allowed.sorted().joined(separator: ", ")))")
            } else if !allowed.contains(name) {
                complain(key, "unknown field `\(name.escapingControlCharacters)` in \(what) (expected \(allowed.sorted().joined(separator: ", ")))")
            } else if fields[name] != nil {
                complain(key, "field `\(name)` is given twice")
            } else {
                fields[name] = (key, value)
            }
        }
        return fields
    }

    mutating func read(_ node: Node) -> ManifestDocument? {
        let before = diagnostics.count
        guard let top = fields(node, allowed: ManifestParser.topLevelFields, what: "a manifest document") else { return nil }
        for required in ["kind", "name", "spec"] where top[required] == nil {
            complain(node, "missing field `\(required)`")
        }
        guard let kindNode = top["kind"]?.value, let nameNode = top["name"]?.value, let specNode = top["spec"]?.value,
              let kindText = string(kindNode, field: "kind"), let name = string(nameNode, field: "name")
        else { return nil }
        guard let kind = ResourceKind(rawValue: kindText) else {
            complain(kindNode, "unknown kind `\(kindText.escapingControlCharacters)` (expected File, Directory or Symlink)")
            return nil
        }
        if name.isEmpty || name.unicodeScalars.contains(where: \.drivesTerminal) {
            complain(nameNode, "`name` must be non-empty text without control characters")
            return nil
        }
        guard let spec = fields(specNode, allowed: ManifestParser.specFields[kind]!, what: "the spec of a \(kind.rawValue)") else { return nil }
        let dependsOn = top["dependsOn"].map { resourceIDs($0.value, field: "dependsOn") } ?? []
        let validate = spec["validate"].flatMap { validator($0.value) }

        var path = ""
        if let (_, value) = spec["path"] {
            if let raw = string(value, field: "path") {
                switch TargetPath.normalize(raw) {
                case .success(let normalized): path = normalized
                case .failure(let problem): complain(value, raw.isEmpty ? "\(problem)" : "\(problem): \(raw.escapingControlCharacters)")
                }
            }
        } else {
            complain(specNode, "missing field `spec.path`")
        }
        var mode: UInt32?
        if let (_, value) = spec["mode"] { mode = self.mode(value) }
        var content: String?
        if let (_, value) = spec["content"] { content = string(value, field: "content") }
        var source: String?
        if let (_, value) = spec["source"], let raw = string(value, field: "source") {
            switch TargetPath.normalize(raw) {
            case .success(let normalized): source = normalized
            case .failure(let problem):
                let message = problem.message(field: "source", root: "the repository")
                complain(value, raw.isEmpty ? message : "\(message): \(raw.escapingControlCharacters)")
            }
        }
        var sensitive = false, prune = false
        if let (_, value) = spec["sensitive"] { sensitive = bool(value, field: "sensitive") ?? false }
        if let (_, value) = spec["prune"] { prune = bool(value, field: "prune") ?? false }
        var linkTarget: String?
        switch kind {
        case .file:
            if (spec["content"] == nil) == (spec["source"] == nil) {
                complain(specNode, "a File needs exactly one of `content` and `source`")
            }
        case .symlink:
            if let (_, value) = spec["target"] {
                linkTarget = string(value, field: "target")
                if linkTarget?.isEmpty == true || linkTarget?.contains("\0") == true {
                    complain(value, "`target` must be non-empty link text")
                }
            } else {
                complain(specNode, "missing field `spec.target`")
            }
        case .directory:
            break
        }
        guard diagnostics.count == before else { return nil }
        return ManifestDocument(
            kind: kind, name: name, location: location(node), nameLocation: location(nameNode),
            path: path, pathLocation: location(spec["path"]!.value), mode: mode, content: content,
            source: source, sourceLocation: spec["source"].map { location($0.value) },
            sensitive: sensitive, prune: prune, linkTarget: linkTarget, dependsOn: dependsOn, validate: validate)
    }

    /// `validate`: an argv (no shell) naming the staged new content with `{}`.
    mutating func validator(_ node: Node) -> [String]? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            complain(node, "`validate` must be a command as a list, such as [\"nginx\", \"-t\", \"-c\", \"{}\"]")
            return nil
        }
        var argv: [String] = []
        for item in items {
            guard let word = string(item, field: "validate") else { return nil }
            argv.append(word)
        }
        if argv[0].isEmpty || argv[0].unicodeScalars.contains(where: \.drivesTerminal) {
            complain(items[0], "`validate` must start with a program to run")
            return nil
        }
        guard argv.contains(where: { $0.contains(Validation.placeholder) }) else {
            complain(node, "`validate` must name the new content with {} (its staged copy), such as [\"python3\", \"-m\", \"json.tool\", \"{}\"]")
            return nil
        }
        return argv
    }

    /// A list of resource ids (`[Directory/etc-nginx, File/site]`), each with where it stands.
    mutating func resourceIDs(_ node: Node, field: String) -> [Reference] {
        guard case .sequence(let items) = node else {
            complain(node, "`\(field)` must be a list of resource ids, such as [Directory/etc-nginx]")
            return []
        }
        var references: [Reference] = []
        for item in items {
            guard let text = string(item, field: field) else { continue }
            guard let id = ResourceID(text), ResourceKind(rawValue: id.kind) != nil else {
                complain(item, "`\(text.escapingControlCharacters)` in `\(field)` is not a resource id: write Kind/name, Kind one of File, Directory or Symlink")
                continue
            }
            references.append(Reference(id: id, location: location(item)))
        }
        return references
    }
}
