import ChildProcess
import Yams

/// Engine settings from `plumb.yaml` at the source root; flags on the command line win.
public struct Settings: Sendable, Hashable {
    public var interval: Duration = .seconds(30)
    public var autoSync = false
    public var prune = false

    public init() {}

    static let fields: Set<String> = ["interval", "autoSync", "prune"]

    /// Reads `plumb.yaml`; every complaint carries its line and column.
    public static func parse(_ bytes: [UInt8], file: String) -> (Settings, [Diagnostic]) {
        var settings = Settings()
        var reader = DocumentReader(file: file)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            return (settings, [Diagnostic(SourceLocation(file: file, line: 1, column: 1), "file is not valid UTF-8")])
        }
        do {
            guard let node = try Yams.compose(yaml: text) else { return (settings, []) }
            guard let fields = reader.fields(node, allowed: fields, what: "plumb.yaml") else { return (settings, reader.diagnostics) }
            if let (_, value) = fields["interval"], let text = reader.string(value, field: "interval") {
                if let duration = Duration.parse(text), duration > .zero {
                    settings.interval = duration
                } else {
                    reader.complain(value, "bad duration \(text.escapingControlCharacters): write a number and a unit, such as 500ms, 30s, 5m or 1h")
                }
            }
            if let (_, value) = fields["autoSync"], let flag = reader.bool(value, field: "autoSync") { settings.autoSync = flag }
            if let (_, value) = fields["prune"], let flag = reader.bool(value, field: "prune") { settings.prune = flag }
        } catch let error as YamlError {
            return (settings, [ManifestParser.syntaxDiagnostic(error, file: file)])
        } catch {
            return (settings, [Diagnostic(SourceLocation(file: file, line: 1, column: 1), "cannot read YAML: \(error)")])
        }
        return (settings, reader.diagnostics)
    }
}
