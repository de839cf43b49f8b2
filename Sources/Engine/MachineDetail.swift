import ChildProcess
import DesiredState
import Foundation

extension Engine {
    /// What the console's detail pane and `plumb diff` show of a Service or a Command instead of a
    /// diff: its state in systemd's words, its probe, what it runs, its recent actions from the
    /// journal, and for a Service the tail of `journalctl -u UNIT` when there is one.
    func machineDetail(_ status: ResourceStatus) async -> [String] {
        var lines = ["\(status.id.description.escapingControlCharacters): "
                     + (status.message ?? "\(status.sync.rawValue), \(status.health.rawValue)").escapingControlCharacters]
        switch (status.desired?.shape, status.observed) {
        case (_, .unit(let unit)):
            var words = ["unit \(unit.unit): \(unit.words)"]
            if unit.mainPID > 0 { words.append("pid \(unit.mainPID)") }
            if let since = unit.activeSince { words.append("active since \(since.formatted(.iso8601))") }
            if !unit.unitFile.isEmpty { words.append(unit.unitFile) }
            lines.append(words.joined(separator: ", ").escapingControlCharacters)
        default: break
        }
        if case .service(let spec)? = status.desired?.shape {
            if !spec.restartOn.isEmpty { lines.append("restarted when \(spec.restartOn.map(\.description).joined(separator: ", ")) change") }
            if !spec.reloadOn.isEmpty { lines.append("reloaded when \(spec.reloadOn.map(\.description).joined(separator: ", ")) change") }
            if let probe = spec.probe {
                var line = "probe \(probe.words), every \(probe.interval.words), \(probe.timeout.words) timeout, \(probe.startPeriod.words) start period"
                if case .unit(let unit) = status.observed, let answer = unit.probe {
                    let age = max(0, Int(Date().timeIntervalSince(answer.at)))
                    line += ": \(answer.passed ? "passed" : "failed") (\(answer.detail)), \(age < 120 ? "\(age)s" : "\(age / 60)m") ago"
                } else {
                    line += ": not asked (the unit is not up)"
                }
                lines.append(line.escapingControlCharacters)
            }
        }
        if case .command(let spec)? = status.desired?.shape {
            lines.append("runs: \(spec.run.joined(separator: " ")) (in \(spec.cwd.isEmpty ? "the target root" : spec.cwd), \(spec.timeout.words) timeout)".escapingControlCharacters)
            lines.append("when \(spec.onChangeOf.map(\.description).joined(separator: ", ")) change")
            if case .commandRun(nil) = status.observed { lines.append("not run yet") }
        }
        let recent = (try? store.events(resource: status.id.description, last: 6)) ?? []
        if !recent.isEmpty {
            lines.append("recent actions:")
            lines += recent.map { "  \($0.timestamp)  \($0.reason.rawValue)  \($0.message)".escapingControlCharacters }
        }
        if case .unit(let unit) = status.observed, let journal = await Self.journalTail(unit.unit) {
            lines.append("journalctl -u \(unit.unit):")
            lines += journal.map { "  " + $0.escapingControlCharacters }
        }
        return lines
    }

    /// The last lines systemd's journal holds of a unit, or nil without journalctl.
    private static func journalTail(_ unit: String) async -> [String]? {
        guard Systemctl.unavailable() == nil, let journalctl = ChildProcess.find("journalctl") else { return nil }
        guard let out = try? await ChildProcess.run(journalctl, ["--no-pager", "-q", "-n", "10", "-o", "short-iso", "-u", unit],
                                                    timeout: .seconds(5)), out.status == 0 else { return nil }
        let lines = String(decoding: out.stdout, as: UTF8.self).split(whereSeparator: \.isNewline).map(String.init)
        return lines.isEmpty ? nil : lines
    }
}
