import Foundation
import Yams

/// What templates are rendered with, for one host: every `vars/**/*.yaml` merged (in path
/// order), then `hosts/<host>.yaml` over them, then the facts over both.
public struct TemplateValues: Sendable {
    public static let varsFolder = "vars/"
    public static let hostsFolder = "hosts/"

    /// A mapping of names to text, lists and mappings: YAML's scalars stay text, but for
    /// `true`/`false` (so that `{{#flag}}` means what it says).
    public enum Value: Sendable, Hashable {
        case text(String)
        case flag(Bool)
        case list([Value])
        case map([String: Value])
    }

    public private(set) var root: [String: Value] = [:]

    public init() {}

    /// Merges one values file over what is there (mappings merge key by key, anything else is
    /// replaced); complaints are placed in `file`.
    public mutating func merge(_ bytes: [UInt8], file: String) -> [Diagnostic] {
        switch YAMLReader.document(bytes, file: file) {
        case .failure(let problem): return [problem]
        case .success(nil): return []
        case .success(let node?):
            guard case .mapping = node else {
                return [Diagnostic(SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1),
                                   "a values file must be a mapping of names, such as `listen: 8080`")]
            }
            guard case .map(let read) = Self.value(node) else { return [] }
            root = Self.merged(root, read)
            return []
        }
    }

    /// The facts of a host over the values: `host.*` and `plumb.revision`.
    public func with(_ facts: HostFacts, revision: String) -> [String: Value] {
        Self.merged(root, [
            "host": .map(["name": .text(facts.name), "fqdn": .text(facts.fqdn), "os": .text(facts.os),
                          "arch": .text(facts.arch), "cpus": .text(String(facts.cpus))]),
            "plumb": .map(["revision": .text(revision)]),
        ])
    }

    /// The values as text with their keys sorted: the same values give the same text, for the
    /// key rendered templates are cached under.
    public static func canonical(_ map: [String: Value]) -> String {
        func text(_ value: Value) -> String {
            switch value {
            case .text(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            case .flag(let flag): return flag ? "true" : "false"
            case .list(let items): return "[" + items.map(text).joined(separator: ",") + "]"
            case .map(let map): return canonical(map)
            }
        }
        return "{" + map.keys.sorted().map { text(.text($0)) + ":" + text(map[$0]!) }.joined(separator: ",") + "}"
    }

    static func merged(_ base: [String: Value], _ over: [String: Value]) -> [String: Value] {
        base.merging(over) { old, new in
            if case .map(let a) = old, case .map(let b) = new { return .map(merged(a, b)) }
            return new
        }
    }

    private static func value(_ node: Node) -> Value {
        switch node {
        case .scalar(let scalar):
            if scalar.style == .plain, scalar.string == "true" || scalar.string == "false" { return .flag(scalar.string == "true") }
            if scalar.style == .plain, scalar.string == "~" || scalar.string == "null" { return .text("") }
            return .text(scalar.string)
        case .sequence(let items): return .list(items.map(value))
        case .mapping(let mapping):
            var map: [String: Value] = [:]
            for (key, item) in mapping { if let name = key.scalar?.string { map[name] = value(item) } }
            return .map(map)
        case .alias: return .text("")
        }
    }
}

/// What a template may say about the machine it is rendered for.
public struct HostFacts: Sendable, Hashable {
    public var name: String
    public var fqdn: String
    public var os: String
    public var arch: String
    public var cpus: Int

    /// This machine's name, as `uname -n` says it: the default host.
    public static func ownName() -> String { uname(\.nodename) }

    /// This machine's facts; with `host`, rendered as if it were that host (`--host`): its name
    /// (and, when it differs from this machine's, its fqdn) is that name.
    public static func thisMachine(as host: String? = nil) -> HostFacts {
        let own = ownName(), name = host ?? own
        let fqdn = name == own ? canonicalName(own) ?? own : name
        return HostFacts(name: name, fqdn: fqdn, os: uname(\.sysname).lowercased(), arch: uname(\.machine),
                         cpus: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// One field of `uname(2)` as text.
    private static func uname<Field>(_ field: KeyPath<utsname, Field>) -> String {
        var names = utsname()
        Glibc.uname(&names)
        return withUnsafeBytes(of: names[keyPath: field]) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }

    /// The host's canonical name from the resolver (`hostname --fqdn`), nil when it has none.
    private static func canonicalName(_ host: String) -> String? {
        var hints = addrinfo()
        hints.ai_flags = AI_CANONNAME
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, nil, &hints, &found) == 0, let first = found else { return nil }
        defer { freeaddrinfo(found) }
        return first.pointee.ai_canonname.map { String(cString: $0) }
    }
}
