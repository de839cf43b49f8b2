import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Sync: Command {
    static let summary = CommandSummary(
        name: "sync", abstract: "Apply the head revision, or only the resources named.",
        discussion: "Exit status: 0 when every change was applied, 1 when any failed or nothing could be applied.")

    var options = SourceOptions()
    var ids: [String] = []
    var prune = false
    var dryRun = false
    var allowEmpty = false
    var acceptRewrite = false
    var json = false

    static var parameters: [Parameter<Sync>] {
        Parameter.group(\.options) + [
            .arguments(\.ids, value: "id", help: "Resources to sync, as Kind/name; all by default."),
            .flag(\.prune, "prune", help: "Delete extras: resources plumb applied that are no longer declared (only while unchanged since)."),
            .flag(\.dryRun, "dry-run", help: "Print the plan and change nothing."),
            .flag(\.allowEmpty, "allow-empty", help: "Apply even a desired state that declares no resources at all."),
            .flag(\.acceptRewrite, "accept-rewrite", help: "Apply a head that does not descend from the applied revision (history rewritten)."),
            .flag(\.json, "json", help: "Print one JSON document."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            var sync = SyncOptions(ids: try ids.isEmpty ? nil : resourceIDs(ids))
            sync.prune = prune
            sync.dryRun = dryRun
            sync.allowEmpty = allowEmpty
            sync.acceptRewrite = acceptRewrite
            sync.fetch = !options.noFetch
            let engine = try await options.engine()
            // Beside a running agent the sync is handed to it; Ctrl-C withdraws it if not yet taken.
            let task = Task {
                try await engine.requestSync(sync) { FileHandle.standardError.write(Data("plumb: \($0)\n".utf8)) }
            }
            let signals = SignalWatch([SIGINT, SIGTERM]) { task.cancel() }
            let summary = try await task.value
            withExtendedLifetime(signals) {}
            if json { printJSON(SyncJSON(summary)) } else { print(Self.render(summary)) }
            if !summary.failures.isEmpty { throw ExitCode(1) }
        }
    }

    static func render(_ summary: SyncSummary) -> String {
        var table = Table()
        for change in summary.changes where change.result != .planned || summary.dryRun {
            let word = switch change.result {
            case .done: SyncPlan.Action(rawValue: change.change)?.past ?? change.change
            case .skipped: "kept"
            case .failed: "FAILED"
            case .planned: change.change
            }
            // A Service or a Command has no path: its note says what it does.
            let planned = [change.path, change.message.map { "(\($0))" }].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " ")
            table.add([word, change.id.escapingControlCharacters, (summary.dryRun ? planned : change.message ?? "").escapingControlCharacters])
        }
        for extra in summary.extrasKept {
            table.add(["extra", extra.id.escapingControlCharacters, "\(extra.path.escapingControlCharacters) (kept: use --prune to delete)"])
        }
        var lines: [String] = []
        if !table.isEmpty { lines.append(table.render()) }
        if summary.dryRun, let chain = chain(summary.changes) { lines.append(chain) }
        let short = summary.revision.prefix(12)
        let attempted = summary.changes.filter { $0.result != .planned }.count
        let kept = summary.changes.filter { $0.result == .skipped }.count
        if summary.dryRun {
            lines.append(summary.changes.isEmpty ? "nothing to do at \(short)" : "\(summary.changes.count) change(s) planned at \(short); nothing applied (dry run)")
        } else if summary.failures.isEmpty {
            let keptWords = kept > 0 ? "; \(kept) kept, not safe to prune" : ""
            lines.append((summary.applied ? "applied \(short)" : "synced \(attempted - kept) change(s) at \(short)") + keptWords)
        } else {
            lines.append("\(summary.failures.count) of \(attempted) change(s) failed; \(short) is not fully applied")
        }
        return lines.joined(separator: "\n")
    }

    /// The order of a plan that restarts, reloads or runs something: `order: update File/conf →
    /// restart Service/web → run Command/note` (of a long plan, only the Service and Command steps).
    static func chain(_ changes: [SyncSummary.Change]) -> String? {
        let notified: Set<String> = [SyncPlan.Action.restart, .reload, .run, .daemonReload].reduce(into: []) { $0.insert($1.rawValue) }
        guard changes.contains(where: { notified.contains($0.change) }) else { return nil }
        let shown = changes.count <= 20 ? changes : changes.filter { notified.contains($0.change) || $0.path.isEmpty }
        return "order: " + shown.map { "\($0.change) \($0.id.escapingControlCharacters)" }.joined(separator: " → ")
    }
}
