import ArgumentParser
import DesiredState
import Engine

struct Diff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show a unified diff, actual (---) against desired (+++): + is what a sync writes.",
        discussion: "Exit status: 0 when there is no difference, 2 when there is, 1 on error.")

    @OptionGroup var options: SourceOptions

    @Argument(help: ArgumentHelp("Resources to diff, as Kind/name; all that are not Synced by default.", valueName: "id"))
    var ids: [String] = []

    func run() async throws {
        try await reportingErrors {
            let wanted = try resourceIDs(ids)
            let engine = try await options.engine()
            let snapshot = try await engine.snapshot(fetch: !options.noFetch)
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
            let paint = options.paint
            for lines in try await engine.diffs(statuses) { print(lines.map(paint.diffLine).joined(separator: "\n")) }
            try reportInvalidHead(snapshot)
            if statuses.contains(where: { $0.sync != .synced }) { throw ExitCode(2) }
        }
    }
}
