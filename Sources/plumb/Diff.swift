import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Diff: Command {
    static let summary = CommandSummary(
        name: "diff", abstract: "Show a unified diff, actual (---) against desired (+++): + is what a sync writes.",
        discussion: "Exit status: 0 when there is no difference, 2 when there is, 1 on error.")

    var options = SourceOptions()
    var ids: [String] = []

    static var parameters: [Parameter<Diff>] {
        Parameter.group(\.options) + [
            .arguments(\.ids, value: "id", help: "Resources to diff, as Kind/name; all that are not Synced by default."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let wanted = try resourceIDs(ids)
            let config = try options.config()
            try AgentView.askFirst(.diff(ids: ids), config: config, options: options)
            let engine = try await Engine(config: config, use: .observing)
            AgentView.deliver(try await Self.output(try await engine.snapshot(fetch: !options.noFetch), engine: engine, wanted: wanted, paint: options.paint))
        }
    }

    /// What `plumb diff` prints, and its exit status: 0 when there is no difference, 2 when there
    /// is, 1 when the head is invalid. Made here or, for a command that asked, by the agent.
    static func output(_ snapshot: Snapshot, engine: Engine, wanted: [ResourceID], paint: Paint) async throws -> AgentView.Output {
        var statuses = snapshot.statuses.filter { $0.sync != .synced }
        if !wanted.isEmpty {
            let known = Dictionary(snapshot.statuses.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            if let unknown = wanted.first(where: { known[$0] == nil }) {
                throw StateError("no resource \(unknown.description.escapingControlCharacters) in revision \(snapshot.head.prefix(12))")
            }
            // A Service or a Command asked for by name always has something to say (its state, its
            // recent actions), and so has a Directory (what it ignores, prunes and purges).
            statuses = wanted.compactMap { known[$0] }.filter { $0.sync != .synced || !$0.isInTarget || $0.kind == ResourceKind.directory.rawValue }
        }
        let stdout = try await engine.diffs(statuses).map { lines in lines.map(paint.diffLine).joined(separator: "\n") + "\n" }.joined()
        return .init(stdout: stdout, showing: snapshot, clean: statuses.allSatisfy { $0.sync == .synced })
    }
}
