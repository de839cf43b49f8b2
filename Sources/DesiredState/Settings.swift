import ChildProcess
import Yams

/// Engine settings from `plumb.yaml` at the source root; flags on the command line win.
public struct Settings: Sendable, Hashable {
    public var interval: Duration = .seconds(30)
    public var autoSync = false
    public var prune = false
    /// `alerts:`: where matching events are delivered.
    public var alerts: [AlertRoute] = []

    public init() {}

    static let fields: Set<String> = ["interval", "autoSync", "prune", "alerts"]
    static let alertFields: Set<String> = ["minLevel", "reasons", "command", "webhook", "timeout"]

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
            if let (_, value) = fields["alerts"] {
                settings.alerts = reader.list(value, of: "alerts").compactMap { readAlert($0, reader: &reader) }
            }
        }
        return (settings, reader.diagnostics)
    }

    /// `{minLevel, reasons, command | webhook, timeout}`.
    private static func readAlert(_ node: Node, reader: inout DocumentReader) -> AlertRoute? {
        let before = reader.diagnostics.count
        guard let fields = reader.fields(node, allowed: alertFields, what: "an alert") else { return nil }
        var minLevel = EventLevel.warning
        if let (_, value) = fields["minLevel"], let word = reader.string(value, field: "minLevel") {
            if let level = EventLevel(rawValue: word) { minLevel = level } else {
                reader.complain(value, "`minLevel` must be info, warning or error, not \(word.escapingControlCharacters)")
            }
        }
        var reasons: [EventReason]?
        if let (_, value) = fields["reasons"] {
            reasons = reader.list(value, of: "reasons").compactMap { item in
                guard let word = reader.string(item, field: "reasons") else { return nil }
                guard let reason = EventReason(rawValue: word) else {
                    reader.complain(item, "unknown reason \(word.escapingControlCharacters) (expected one of \(EventReason.allCases.map(\.rawValue).joined(separator: ", ")))")
                    return nil
                }
                return reason
            }
        }
        var destination: AlertRoute.Destination?
        switch (fields["command"], fields["webhook"]) {
        case (let (_, value)?, nil):
            destination = reader.argv(value, field: "command").map { .command($0) }
        case (nil, let (_, value)?):
            guard let url = reader.string(value, field: "webhook") else { break }
            let scheme = url.prefix { $0 != ":" }.lowercased()
            if (scheme == "http" || scheme == "https") && url.contains("://")
                && !url.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.drivesTerminal }) {
                destination = .webhook(url)
            } else {
                reader.complain(value, "`webhook` must be an http or https URL, such as https://hooks.example.org/plumb, not \(url.escapingControlCharacters)")
            }
        default:
            reader.complain(node, "an alert needs one of `command` (a list, such as [\"/usr/local/bin/page-me\"]) and `webhook` (a URL)")
        }
        var timeout = AlertRoute.defaultTimeout
        if let (_, value) = fields["timeout"], let read = reader.duration(value, field: "timeout") { timeout = read }
        guard let destination, reader.diagnostics.count == before else { return nil }
        return AlertRoute(minLevel: minLevel, reasons: reasons, destination: destination, timeout: timeout)
    }
}
