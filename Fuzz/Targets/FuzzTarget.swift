import Console
import DesiredState
import VersionSource

/// The parsers that read bytes from outside plumb, each as one function from bytes to nothing:
/// what libFuzzer drives (`Fuzz/run`), and what the test suite replays over the corpus in
/// `Fuzz/Corpus/<target>/`, where every crash the fuzzer found stays as a regression.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// A manifest under `resources/`.
    case manifest
    /// `policy.yaml` and `plumb.yaml`.
    case policy
    /// A theme file.
    case theme
    /// `git ls-tree -r -z` output.
    case lsTree = "ls-tree"
    /// `git log -z --format=...` output, whole and in two chunks as a stream brings it.
    case log
    /// `git cat-file --batch` output.
    case catFileBatch = "cat-file-batch"
    /// A template (rendered with fixed values), its lines as `ignore` patterns, and the same
    /// bytes as a values file of `vars/`.
    case template

    public func run(_ bytes: [UInt8]) {
        switch self {
        case .manifest:
            let parsed = ManifestParser.parse(bytes, file: "resources/fuzz.yaml")
            for diagnostic in parsed.diagnostics { _ = diagnostic.description }
        case .policy:
            _ = Policy.parse(bytes, file: "policy.yaml")
            _ = Settings.parse(bytes, file: "plumb.yaml")
        case .theme:
            if let text = String(validating: bytes, as: UTF8.self) { _ = Theme.parse(text, file: "fuzz.yaml") }
        case .lsTree:
            for entry in TreeEntry.parse(bytes) {
                _ = TargetPath.problem(withDerived: entry.path, validUTF8: entry.validUTF8)
                _ = entry.path.escapingControlCharacters
            }
        case .log:
            _ = Commit.parse(bytes[...], final: true)
            let half = bytes.count / 2
            let first = Commit.parse(bytes[..<half], final: false)
            _ = Commit.parse(bytes[(first.used)...], final: true)
        case .catFileBatch:
            _ = Mirror.parseBatch(bytes)
        case .template:
            var values = TemplateValues()
            _ = values.merge(bytes, file: "vars/fuzz.yaml")
            guard let text = String(validating: bytes, as: UTF8.self) else { return }
            _ = TemplateRenderer.render(text, values: Self.templateValues, file: "files/fuzz.conf")
            let patterns = text.split(separator: "\n").prefix(64).map(String.init).filter { IgnoreRules.problem($0) == nil }
            let rules = IgnoreRules(patterns: patterns)
            for path in ["a", "a/b.swp", ".cache/x/y", "d000/f00000.conf", "x/y/z/logs"] { _ = rules.ignores(path) }
        }
    }

    /// What fuzzed templates are rendered with: text, a flag, a list of mappings, a nested map.
    static let templateValues: [String: TemplateValues.Value] = [
        "name": .text("web1"), "tls": .flag(true),
        "list": .list((0..<8).map { .map(["addr": .text("10.0.0.\($0)")]) }),
        "host": .map(["name": .text("web1"), "cpus": .text("2")]),
    ]
}
