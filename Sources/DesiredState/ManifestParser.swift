import Yams

/// Reads manifest files into documents, with a `file:line:column` for every complaint.
///
/// It works on Yams' node tree rather than `Decodable`, because nodes carry their position and
/// decoding errors do not.
public enum ManifestParser {
    static let topLevelFields: Set<String> = ["kind", "name", "spec", "dependsOn", "hosts"]
    static let specFields: [ResourceKind: Set<String>] = [
        .file: ["path", "content", "source", "mode", "sensitive", "decrypt", "validate", "owner", "group", "template"],
        .directory: ["path", "mode", "source", "prune", "purge", "ignore", "validate", "owner", "group"],
        .symlink: ["path", "target", "owner", "group"],
        .service: ["unit", "state", "enabled", "reloadOn", "restartOn", "health"],
        .command: ["run", "onChangeOf", "timeout", "cwd"],
    ]
    static let probeFields: Set<String> = ["http", "expect", "tcp", "command", "interval", "timeout", "startPeriod"]

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

    /// The items of a list, or none with a complaint when `node` is not one.
    mutating func list(_ node: Node, of what: String) -> [Node] {
        guard case .sequence(let items) = node else {
            complain(node, "`\(what)` must be a list of \(what)")
            return []
        }
        return Array(items)
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
            complain(kindNode, "unknown kind `\(kindText.escapingControlCharacters)` (expected \(ResourceKind.allNames))")
            return nil
        }
        if name.isEmpty || name.unicodeScalars.contains(where: \.drivesTerminal) {
            complain(nameNode, "`name` must be non-empty text without control characters")
            return nil
        }
        guard let spec = fields(specNode, allowed: ManifestParser.specFields[kind]!, what: "the spec of a \(kind.rawValue)") else { return nil }
        let dependsOn = top["dependsOn"].map { resourceIDs($0.value, field: "dependsOn") } ?? []
        let validate = spec["validate"].flatMap { validator($0.value) }

        var service: ServiceSpec?, command: CommandSpec?, notifiedBy: [Reference] = []
        var path = ""
        if kind.isInTarget {
            if let (_, value) = spec["path"] {
                if let raw = string(value, field: "path") {
                    switch TargetPath.normalize(raw) {
                    case .success(let normalized): path = normalized
                    // A Directory may be the target root itself: a home directory in one document.
                    case .failure(.isRoot) where kind == .directory: path = ""
                    case .failure(let problem):
                        let hint = problem == .isRoot ? " (only a Directory can be the target root)" : ""
                        complain(value, raw.isEmpty ? "\(problem)" : "\(problem): \(raw.escapingControlCharacters)\(hint)")
                    }
                }
            } else {
                complain(specNode, "missing field `spec.path`")
            }
        }
        var mode: UInt32?
        if let (_, value) = spec["mode"] { mode = self.mode(value) }
        var content: String?
        if let (_, value) = spec["content"] { content = string(value, field: "content") }
        var source: String?
        if let (_, value) = spec["source"], let raw = string(value, field: "source") {
            switch SourcePath.normalize(raw) {
            case .success(let normalized): source = normalized
            case .failure(let problem):
                let message = problem.message(field: "source", root: "the repository")
                complain(value, raw.isEmpty ? message : "\(message): \(raw.escapingControlCharacters)")
            }
        }
        var sensitive = false, prune = false, purge = false, template = false
        if let (_, value) = spec["sensitive"] { sensitive = bool(value, field: "sensitive") ?? false }
        if let (_, value) = spec["prune"] { prune = bool(value, field: "prune") ?? false }
        if let (_, value) = spec["purge"] { purge = bool(value, field: "purge") ?? false }
        if let (_, value) = spec["template"] { template = bool(value, field: "template") ?? false }
        var decrypt: Cipher?
        if let (_, value) = spec["decrypt"], let word = string(value, field: "decrypt") {
            decrypt = Cipher(rawValue: word)
            if decrypt == nil {
                complain(value, "`decrypt` must be \(Cipher.allCases.map(\.rawValue).joined(separator: " or ")), not \(word.escapingControlCharacters)")
            } else if spec["source"] == nil {
                complain(value, "`decrypt` needs `source`: the ciphertext is a file of the repository, never inline content")
            } else if template {
                complain(value, "a File cannot be both `decrypt` and `template`: plumb does not render secrets")
            } else if let (at, _) = spec["sensitive"], !sensitive {
                complain(at, "a File with `decrypt` is always sensitive: remove `sensitive: false`")
            }
        }
        let ownership = Ownership(user: spec["owner"].flatMap { principal($0.value, field: "owner") },
                                  group: spec["group"].flatMap { principal($0.value, field: "group") })
        let ignore = spec["ignore"].map { globs($0.value, field: "ignore", problem: IgnoreRules.problem) } ?? []
        let hosts = top["hosts"].map { globs($0.value, field: "hosts", problem: { $0.unicodeScalars.contains(where: \.drivesTerminal) ? "contains a control character" : nil }) } ?? []
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
        case .service:
            let reloadOn = spec["reloadOn"].map { resourceIDs($0.value, field: "reloadOn") } ?? []
            let restartOn = spec["restartOn"].map { resourceIDs($0.value, field: "restartOn") } ?? []
            notifiedBy = restartOn + reloadOn
            service = serviceSpec(spec, at: specNode, reloadOn: reloadOn.map(\.id), restartOn: restartOn.map(\.id))
        case .command:
            let onChangeOf = spec["onChangeOf"].map { resourceIDs($0.value, field: "onChangeOf") } ?? []
            notifiedBy = onChangeOf
            command = commandSpec(spec, at: specNode, onChangeOf: onChangeOf.map(\.id))
        }
        guard diagnostics.count == before else { return nil }
        return ManifestDocument(
            kind: kind, name: name, location: location(node), nameLocation: location(nameNode),
            path: path, pathLocation: location(spec["path"]?.value ?? node), mode: mode, content: content,
            contentLocation: spec["content"].map { contentLocation($0.value) },
            source: source, sourceLocation: spec["source"].map { location($0.value) },
            sensitive: sensitive || decrypt != nil, decrypt: decrypt, prune: prune, purge: purge, ignore: ignore, template: template, ownership: ownership, hosts: hosts,
            linkTarget: linkTarget, dependsOn: dependsOn, validate: validate,
            service: service, command: command, notifiedBy: notifiedBy)
    }

    /// Where inline content's first line is: a block scalar (`|`) starts on the line after its
    /// indicator, at the first column of its text.
    private func contentLocation(_ node: Node) -> SourceLocation {
        let at = location(node)
        guard case .scalar(let scalar) = node, scalar.style == .literal || scalar.style == .folded else { return at }
        return SourceLocation(file: at.file, line: at.line + 1, column: 1)
    }

    /// `owner` or `group`: a name (as `useradd` allows) or a number, resolved on the target.
    private mutating func principal(_ node: Node, field: String) -> Principal? {
        guard let text = string(node, field: field) else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-$")
        guard !text.isEmpty, text.count <= 32, text.allSatisfy(allowed.contains), !text.hasPrefix("-") else {
            complain(node, "bad \(field) \(text.escapingControlCharacters): write a \(field == "owner" ? "user" : "group") name such as www-data, or a number")
            return nil
        }
        return Principal(text)
    }

    /// A list of globs (`ignore`, `hosts`), each checked by `problem`.
    private mutating func globs(_ node: Node, field: String, problem: (String) -> String?) -> [String] {
        guard case .sequence(let items) = node else {
            complain(node, "`\(field)` must be a list of globs, such as [\"\(field == "hosts" ? "web*" : "*.swp")\"]")
            return []
        }
        var globs: [String] = []
        for item in items {
            guard let text = string(item, field: field) else { continue }
            if text.isEmpty {
                complain(item, "an empty glob in `\(field)`")
            } else if let why = problem(text) {
                complain(item, "the glob \(text.escapingControlCharacters) in `\(field)` \(why)")
            } else {
                globs.append(text)
            }
        }
        return globs
    }

    /// A Service's fields: `unit` is required and names a unit (no path, no control characters).
    private mutating func serviceSpec(_ spec: [String: (key: Node, value: Node)], at specNode: Node,
                                      reloadOn: [ResourceID], restartOn: [ResourceID]) -> ServiceSpec? {
        guard let (_, unitNode) = spec["unit"] else {
            complain(specNode, "missing field `spec.unit` (the systemd unit, such as nginx.service)")
            return nil
        }
        // systemd's own rule for unit names: letters, digits and `:-_.\\@`, and a type suffix. Every
        // field is read for its own complaints before a bad one refuses the document.
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:-_.\\@")
        let unit = string(unitNode, field: "unit")
        if let unit, unit.isEmpty || unit.count > 255 || !unit.allSatisfy(allowed.contains) || unit.hasPrefix("-") || !unit.contains(".") {
            complain(unitNode, "bad unit name \(unit.escapingControlCharacters): write a systemd unit such as nginx.service")
        }
        var state: ServiceSpec.State? = .running
        if let (_, value) = spec["state"], let text = string(value, field: "state") {
            state = ServiceSpec.State(rawValue: text)
            if state == nil { complain(value, "bad state \(text.escapingControlCharacters): write running or stopped") }
        }
        let enabled = spec["enabled"].flatMap { bool($0.value, field: "enabled") }
        var probe: Probe?
        if let (_, value) = spec["health"] { probe = self.probe(value) }
        guard let unit, let state else { return nil }
        return ServiceSpec(unit: unit, state: state, enabled: enabled, reloadOn: reloadOn, restartOn: restartOn, probe: probe)
    }

    /// A Service's `health`: exactly one of `http`, `tcp`, `command`, and its timing.
    private mutating func probe(_ node: Node) -> Probe? {
        guard let fields = fields(node, allowed: ManifestParser.probeFields, what: "`health`") else { return nil }
        let checks = ["http", "tcp", "command"].filter { fields[$0] != nil }
        guard checks.count == 1 else {
            complain(node, "`health` needs exactly one of `http`, `tcp` and `command`")
            return nil
        }
        var check: Probe.Check?
        if let (_, value) = fields["http"], let url = string(value, field: "http") {
            if url.hasPrefix("http://") && url.count > 7 && !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.drivesTerminal }) {
                var expect = 200
                if let (_, expectNode) = fields["expect"] {
                    if let text = string(expectNode, field: "expect"), let code = Int(text), (100...599).contains(code) { expect = code } else {
                        complain(expectNode, "`expect` must be an HTTP status, such as 200")
                    }
                }
                check = .http(url: url, expect: expect)
            } else {
                complain(value, "bad URL \(url.escapingControlCharacters): write http://HOST:PORT/PATH (plain HTTP, as a local health endpoint is)")
            }
        } else if let (_, expectNode) = fields["expect"] {
            complain(expectNode, "`expect` goes with `http`")
        }
        if let (_, value) = fields["tcp"], let text = string(value, field: "tcp") {
            if let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]), port > 0, colon != text.startIndex,
               !text[..<colon].unicodeScalars.contains(where: { $0.value <= 0x20 || $0.drivesTerminal }) {
                check = .tcp(host: String(text[..<colon]), port: port)
            } else {
                complain(value, "bad address \(text.escapingControlCharacters): write HOST:PORT, such as 127.0.0.1:5432")
            }
        }
        if let (_, value) = fields["command"], let argv = argv(value, field: "health.command") { check = .command(argv) }
        func duration(_ field: String, _ fallback: Duration) -> Duration {
            guard let (_, value) = fields[field] else { return fallback }
            return self.duration(value, field: field) ?? fallback
        }
        let interval = duration("interval", Probe.defaultInterval)
        let timeout = duration("timeout", Probe.defaultTimeout)
        let startPeriod = duration("startPeriod", Probe.defaultStartPeriod)
        return check.map { Probe(check: $0, interval: interval, timeout: timeout, startPeriod: startPeriod) }
    }

    /// A Command's fields: `run` is required.
    private mutating func commandSpec(_ spec: [String: (key: Node, value: Node)], at specNode: Node, onChangeOf: [ResourceID]) -> CommandSpec? {
        guard let (_, runNode) = spec["run"] else {
            complain(specNode, "missing field `spec.run` (the command as a list, such as [\"systemctl\", \"reload\", \"nginx\"])")
            return nil
        }
        guard let run = argv(runNode, field: "run") else { return nil }
        if onChangeOf.isEmpty && spec["onChangeOf"] == nil {
            complain(specNode, "missing field `spec.onChangeOf`: a Command runs only when what it names changed in a sync")
        }
        var timeout = CommandSpec.defaultTimeout
        if let (_, value) = spec["timeout"], let read = duration(value, field: "timeout") { timeout = read }
        var cwd = ""
        if let (_, value) = spec["cwd"], let raw = string(value, field: "cwd") {
            switch TargetPath.normalize(raw) {
            case .success(let normalized): cwd = normalized
            case .failure(let problem): complain(value, "\(problem.message(field: "cwd", root: "the target")): \(raw.escapingControlCharacters)")
            }
        }
        return CommandSpec(run: run, onChangeOf: onChangeOf, timeout: timeout, cwd: cwd)
    }

    /// A positive duration such as `10s`.
    mutating func duration(_ node: Node, field: String) -> Duration? {
        guard let text = string(node, field: field) else { return nil }
        guard let duration = Duration.parse(text), duration > .zero else {
            complain(node, "bad duration \(text.escapingControlCharacters) in `\(field)`: write a number and a unit, such as 500ms, 30s, 5m or 1h")
            return nil
        }
        return duration
    }

    /// A command as a list of words (no shell), starting with a program.
    mutating func argv(_ node: Node, field: String) -> [String]? {
        guard case .sequence(let items) = node, !items.isEmpty else {
            complain(node, "`\(field)` must be a command as a list, such as [\"systemctl\", \"reload\", \"nginx\"]"
                     + (node.sequence?.isEmpty == true ? ", not an empty one" : ""))
            return nil
        }
        var argv: [String] = []
        for item in items {
            guard let word = string(item, field: field) else { return nil }
            if word.contains("\0") {
                complain(item, "`\(field)` cannot hold a NUL character")
                return nil
            }
            argv.append(word)
        }
        if argv[0].isEmpty || argv[0].unicodeScalars.contains(where: \.drivesTerminal) {
            complain(items[0], "`\(field)` must start with a program to run")
            return nil
        }
        return argv
    }

    /// `validate`: an argv (no shell) naming the staged new content with `{}`.
    mutating func validator(_ node: Node) -> [String]? {
        guard let argv = argv(node, field: "validate") else { return nil }
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
                complain(item, "`\(text.escapingControlCharacters)` in `\(field)` is not a resource id: write Kind/name, Kind one of \(ResourceKind.allNames)")
                continue
            }
            references.append(Reference(id: id, location: location(item), field: field))
        }
        return references
    }
}
