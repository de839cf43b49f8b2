import ChildProcess
import Foundation

/// systemd's command line, the only way plumb talks to systemd: `systemctl show` for state (many
/// units per call, machine-readable properties) and one verb per action, each with a timeout,
/// never through a shell.
enum Systemctl {
    /// Why systemd cannot be driven here, or nil when it can: systemd's own test
    /// (`sd_booted`) is whether `/run/systemd/system` exists.
    static func unavailable() -> String? {
        var info = stat()
        guard lstat("/run/systemd/system", &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
            return "no systemd here (/run/systemd/system is absent: this machine was not booted with systemd)"
        }
        guard program != nil else { return "no systemd here (systemctl is not on PATH)" }
        return nil
    }

    /// `PLUMB_SYSTEMCTL` names another systemctl (a seam for tests that need one that fails or hangs).
    static let program: String? = ChildProcess.find(environmentValue("PLUMB_SYSTEMCTL") ?? "systemctl")

    /// How long one `systemctl` may take, `PLUMB_SYSTEMCTL_TIMEOUT` (default 2m): starting a unit
    /// waits for its job, and systemd's own default job timeout is 90 s.
    static let timeout: Duration = environmentValue("PLUMB_SYSTEMCTL_TIMEOUT").flatMap(Duration.parse) ?? .seconds(120)

    static let properties = ["Id", "LoadState", "ActiveState", "SubState", "UnitFileState", "Result", "MainPID",
                             "ActiveEnterTimestamp", "CanReload"]

    /// The state of each unit, by name, in one call.
    static func show(_ units: [String]) async throws -> [String: UnitState] {
        guard !units.isEmpty else { return [:] }
        let out = try await run(["show", "--timestamp=unix", "--property=" + properties.joined(separator: ",")] + ["--"] + units)
        // One block of KEY=VALUE lines per unit, in the order asked, blocks split by a blank line.
        var states: [String: UnitState] = [:]
        let blocks = String(decoding: out.stdout, as: UTF8.self).components(separatedBy: "\n\n")
        for (unit, block) in zip(units, blocks) {
            var values: [Substring: Substring] = [:]
            for line in block.split(separator: "\n") {
                guard let equals = line.firstIndex(of: "=") else { continue }
                values[line[..<equals]] = line[line.index(after: equals)...]
            }
            let since = values["ActiveEnterTimestamp"].flatMap { $0.hasPrefix("@") ? Double($0.dropFirst()) : nil }.flatMap { $0 > 0 ? $0 : nil }
            states[unit] = UnitState(
                unit: unit, load: String(values["LoadState"] ?? ""),
                activity: UnitState.Activity(rawValue: String(values["ActiveState"] ?? "")) ?? .inactive,
                sub: String(values["SubState"] ?? ""), unitFile: String(values["UnitFileState"] ?? ""),
                result: String(values["Result"] ?? ""), mainPID: Int(values["MainPID"] ?? "") ?? 0,
                activeSince: since.map { Date(timeIntervalSince1970: $0) }, canReload: values["CanReload"] == "yes")
        }
        return states
    }

    /// Runs one verb on one unit (`start nginx.service`); a refusal throws with systemctl's words.
    static func act(_ verb: String, _ unit: String) async throws {
        _ = try await run([verb, "--", unit])
    }

    /// `systemctl daemon-reload`: systemd reads changed unit files.
    static func daemonReload() async throws {
        _ = try await run(["daemon-reload"])
    }

    @discardableResult
    private static func run(_ arguments: [String]) async throws -> ChildOutput {
        if let why = unavailable() { throw StateError(why) }
        let out = try await ChildProcess.run(program!, ["--no-pager", "--no-ask-password"] + arguments, timeout: timeout)
        guard out.status == 0 else {
            let words = arguments.filter { $0 != "--" }.joined(separator: " ")
            throw StateError("systemctl \(words) failed (exit \(out.status))" + (out.lastLine.map { ": \($0.escapingControlCharacters)" } ?? ""))
        }
        return out
    }
}
