import ArgumentParsing
import DesiredState
import Engine
import Foundation

struct Status: Command {
    static let summary = CommandSummary(
        name: "status", abstract: "Show desired against actual, per resource.",
        discussion: "Exit status: 0 when every resource is Synced, 2 when any is not, 1 on error.")

    var options = SourceOptions()
    var all = false
    var json = false

    static var parameters: [Parameter<Status>] {
        Parameter.group(\.options) + [
            .flag(\.all, "all", short: "a", help: "List Synced resources too, not only those that are not."),
            .flag(\.json, "json", help: "Print one JSON document, every resource included."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let config = try options.config()
            try AgentView.askFirst(.status(all: all, json: json), config: config, options: options)
            let engine = try await Engine(config: config, use: .observing)
            let snapshot = try await engine.snapshot(fetch: !options.noFetch)
            // The process ends here, with the snapshot still alive: freeing ten thousand
            // statuses one by one would only cost time.
            withExtendedLifetime(snapshot) { AgentView.deliver(Self.output(snapshot, engine: engine, all: all, json: json, paint: options.paint)) }
        }
    }

    /// What `plumb status` prints, and its exit status: 0 when every resource is Synced, 2 when
    /// any is not, 1 when the head is invalid. Made here or, for a command that asked, by the agent.
    static func output(_ snapshot: Snapshot, engine: Engine, all: Bool, json: Bool, paint: Paint) -> AgentView.Output {
        let stdout = if json {
            JSONOutput.encode(StatusJSON(revision: snapshot.desired.revision, branch: engine.config.source.branch, target: engine.target.root,
                                         host: engine.config.host, hostPreview: engine.config.isOtherHost,
                                         signature: snapshot.headSignature.map(SignatureJSON.init),
                                         summary: .init(synced: snapshot.count(.synced), outOfSync: snapshot.count(.outOfSync), unknown: snapshot.count(.unknown)),
                                         resources: snapshot.statuses.map(ResourceJSON.init)), pretty: true)
        } else {
            render(snapshot, engine: engine, all: all, paint: paint)
        }
        return .init(stdout: stdout + "\n", showing: snapshot, clean: snapshot.allSynced)
    }

    /// Like `git status`, the resources that need attention; with `all`, every one.
    static func render(_ snapshot: Snapshot, engine: Engine, all: Bool, paint: Paint = Paint(enabled: false)) -> String {
        let source = engine.config.source
        var lines = [
            "source    \(source.url.escapingControlCharacters) (\(source.branch.escapingControlCharacters)\(source.path.isEmpty ? "" : ", path \(source.path.escapingControlCharacters)"))",
            "target    \(engine.target.root.escapingControlCharacters)",
        ]
        if engine.config.isOtherHost {
            lines.append("host      \(engine.config.host.escapingControlCharacters): a preview of that host's desired state against this target")
        }
        if let signature = snapshot.headSignature {
            let words = switch signature {
            case .verified(let signer): "verified: signed by \(signer)"
            default: "NOT VERIFIED: \(signature.problem ?? ""); not applied"
            }
            lines.append("signature \(words.escapingControlCharacters)")
        }
        lines += [
            snapshot.invalidHead == nil
                ? "revision  \(snapshot.head.prefix(12))   applied \(snapshot.applied.map { String($0.prefix(12)) } ?? "none yet")"
                : "revision  \(snapshot.head.prefix(12)) is invalid: compared with the applied revision \(snapshot.desired.revision.prefix(12))",
            "",
        ]
        if let (error, retryAt) = engine.agentFailure() {
            lines.insert("agent     last pass failed: \(error.escapingControlCharacters); next attempt at \(retryAt)", at: 3)
        }
        let shown = all ? snapshot.statuses : snapshot.statuses.filter { $0.sync != .synced || $0.health != .healthy }
        if !shown.isEmpty {
            var table = Table()
            table.add(["RESOURCE", "PATH / UNIT", "SYNC", "DRIFT", "HEALTH", "MESSAGE"])
            for status in shown {
                table.add([status.id.description.escapingControlCharacters, status.place.escapingControlCharacters,
                           status.sync.rawValue, status.drift?.rawValue ?? "-", status.health.rawValue,
                           status.message?.escapingControlCharacters ?? ""],
                          styles: [nil, nil, Paint.style(status.sync), Paint.style(status.drift), Paint.style(status.health)])
            }
            lines += [table.render(paint), ""]
        }
        let synced = snapshot.count(.synced)
        var summary = "\(synced) Synced, \(snapshot.count(.outOfSync)) OutOfSync, \(snapshot.count(.unknown)) Unknown"
        if snapshot.statuses.isEmpty {
            summary = "no resources declared"
        } else if !all && synced > 0 {
            summary += " (Synced and Healthy ones not listed: plumb status --all lists every resource)"
        }
        lines.append(summary)
        return lines.joined(separator: "\n")
    }
}
