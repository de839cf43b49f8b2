import ArgumentParser
import DesiredState
import Engine

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show desired against actual, per resource.",
        discussion: "Exit status: 0 when every resource is Synced, 2 when any is not, 1 on error.")

    @OptionGroup var options: SourceOptions

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine()
            let snapshot = try await engine.snapshot(fetch: !options.noFetch)
            if json {
                try printJSON([
                    "revision": snapshot.head, "branch": engine.config.source.branch, "target": engine.target.root,
                    "summary": ["synced": snapshot.count(.synced), "outOfSync": snapshot.count(.outOfSync), "unknown": snapshot.count(.unknown)],
                    "resources": snapshot.statuses.map(\.json),
                ] as [String: Any])
            } else {
                print(Self.render(snapshot, engine: engine))
            }
            if !snapshot.allSynced { throw ExitCode(2) }
        }
    }

    static func render(_ snapshot: Snapshot, engine: Engine) -> String {
        let source = engine.config.source
        var lines = [
            "source    \(source.url.escapingControlCharacters) (\(source.branch.escapingControlCharacters)\(source.path.isEmpty ? "" : ", path \(source.path)"))",
            "target    \(engine.target.root.escapingControlCharacters)",
            "revision  \(snapshot.head.prefix(12))   applied \(snapshot.applied.map { String($0.prefix(12)) } ?? "none yet")",
            "",
        ]
        var table = Table()
        table.add(["RESOURCE", "PATH", "SYNC", "DRIFT", "HEALTH", "MESSAGE"])
        for status in snapshot.statuses {
            table.add([status.id.description.escapingControlCharacters, status.path.escapingControlCharacters,
                       status.sync.rawValue, status.drift?.rawValue ?? "-", status.health.rawValue,
                       status.message?.escapingControlCharacters ?? ""])
        }
        lines.append(snapshot.statuses.isEmpty ? "no resources declared" : table.render())
        lines.append("")
        lines.append("\(snapshot.count(.synced)) Synced, \(snapshot.count(.outOfSync)) OutOfSync, \(snapshot.count(.unknown)) Unknown")
        return lines.joined(separator: "\n")
    }
}
