import ArgumentParser
import DesiredState
import Engine

struct Sync: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Apply the head revision, or only the resources named.",
        discussion: "Exit status: 0 when every change was applied, 1 when any failed or nothing could be applied.")

    @OptionGroup var options: SourceOptions

    @Argument(help: ArgumentHelp("Resources to sync, as Kind/name; all by default.", valueName: "id"))
    var ids: [String] = []

    @Flag(help: "Delete extras: resources plumb applied that are no longer declared (only while unchanged since).")
    var prune = false

    @Flag(help: "Print the plan and change nothing.")
    var dryRun = false

    @Flag(help: "Apply even a desired state that declares no resources at all.")
    var allowEmpty = false

    @Flag(help: "Apply a head that does not descend from the applied revision (history rewritten).")
    var acceptRewrite = false

    @Flag(help: "Print one JSON document.")
    var json = false

    func run() async throws {
        try await reportingErrors {
            var sync = SyncOptions(ids: try ids.isEmpty ? nil : ids.map { text in
                guard let id = ResourceID(text) else { throw StateError("\(text.escapingControlCharacters) is not a resource id: write Kind/name, such as File/motd") }
                return id
            })
            sync.prune = prune
            sync.dryRun = dryRun
            sync.allowEmpty = allowEmpty
            sync.acceptRewrite = acceptRewrite
            sync.fetch = !options.noFetch
            let engine = try await options.engine()
            let report = try await engine.sync(sync)
            if json { printJSON(Self.json(report, dryRun: dryRun)) } else { print(Self.render(report, dryRun: dryRun)) }
            if !report.failures.isEmpty { throw ExitCode(1) }
        }
    }

    static func render(_ report: SyncReport, dryRun: Bool) -> String {
        var table = Table()
        if dryRun {
            for step in report.plan.steps {
                table.add([step.word, step.id.description.escapingControlCharacters, step.path.escapingControlCharacters])
            }
        } else {
            for outcome in report.outcomes {
                let (word, detail): (String, String)
                switch outcome.result {
                case .done(let message): (word, detail) = (["create": "created", "update": "updated", "prune": "pruned"][outcome.step.word] ?? outcome.step.word, message)
                case .skipped(let why): (word, detail) = ("kept", why)
                case .failed(let why): (word, detail) = ("FAILED", why)
                }
                table.add([word, outcome.step.id.description.escapingControlCharacters, detail.escapingControlCharacters])
            }
        }
        for extra in report.plan.keptExtras {
            table.add(["extra", extra.id.description.escapingControlCharacters, "\(extra.path.escapingControlCharacters) (kept: use --prune to delete)"])
        }
        var lines: [String] = []
        if !table.isEmpty { lines.append(table.render()) }
        let short = report.revision.prefix(12)
        if dryRun {
            lines.append(report.plan.steps.isEmpty ? "nothing to do at \(short)" : "\(report.plan.steps.count) change(s) planned at \(short); nothing applied (dry run)")
        } else if report.failures.isEmpty {
            lines.append(report.applied ? "applied \(short)" : "synced \(report.outcomes.count) change(s) at \(short)")
        } else {
            lines.append("\(report.failures.count) of \(report.outcomes.count) change(s) failed; \(short) is not fully applied")
        }
        return lines.joined(separator: "\n")
    }

    static func json(_ report: SyncReport, dryRun: Bool) -> [String: Any] {
        let changes: [[String: Any]] = report.plan.steps.map { step in
            let outcome = report.outcomes.first { $0.step == step }
            var row: [String: Any] = ["id": step.id.description, "path": step.path, "change": step.word]
            switch outcome?.result {
            case .done(let message)?: row["result"] = "done"; row["message"] = message
            case .skipped(let why)?: row["result"] = "skipped"; row["message"] = why
            case .failed(let why)?: row["result"] = "failed"; row["message"] = why
            case nil: row["result"] = "planned"
            }
            return row
        }
        return ["revision": report.revision, "dryRun": dryRun, "applied": report.applied, "changes": changes,
                "extrasKept": report.plan.keptExtras.map { $0.id.description }]
    }
}
