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
        switch YAMLReader.document(bytes, file: file) {
        case .failure(let problem): return (settings, [problem])
        case .success(nil): return (settings, [])
        case .success(let node?):
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
        }
        return (settings, reader.diagnostics)
    }
}
