import ChildProcess
import DesiredState
import Foundation

/// Commands: an argv run only when what it watches changed in a sync (or again after a failed
/// run), never on its own. Its state is its last run, which the journal holds.
struct CommandProvider: Provider {
    /// How much of a run's output the journal keeps: its last lines, at most this many bytes.
    static let tailBytes = 2048

    /// Each Command's last run, from the journal. Commands leave nothing to prune.
    func observe(_ scan: Scan) async throws -> [ResourceStatus] {
        try scan.desired.resources.filter { $0.kind == .command }.map { resource in
            let last = try scan.engine.store.lastEvent(of: resource.id, among: [.commandRan, .commandFailed])
            let run = last.map { CommandRun(succeeded: $0.reason == .commandRan, at: $0.time, message: $0.message) }
            return .compare(resource, .commandRun(run))
        }
    }

    static func spec(_ resource: DesiredResource) -> CommandSpec {
        guard case .command(let spec) = resource.shape else { preconditionFailure("\(resource.id) is not a Command") }
        return spec
    }

    func verdict(_ desired: DesiredResource, _ observed: Observation) -> Verdict {
        guard case .commandRun(let run) = observed else { return Verdict(.unknown, nil, .unknown, "\(observed.noun) where a command is expected") }
        guard let run, !run.succeeded else { return .synced }
        return Verdict(.outOfSync, .modified, .degraded, "its last run failed: \(run.message)")
    }

    func action(_ resource: DesiredResource, over observed: Observation, missing: Bool) -> SyncPlan.Action { .run }

    func apply(_ resource: DesiredResource, over observed: Observation, with applier: inout Applier) async throws -> Applied {
        try await run(resource, after: [], in: applier)
    }

    func notify(_ resource: DesiredResource, _ action: SyncPlan.Action, after triggers: [ResourceID], with applier: inout Applier) async throws -> Applied {
        try await run(resource, after: triggers, in: applier)
    }

    /// Runs it in its `cwd` beneath the target (checked to hold no symlink), with its timeout.
    private func run(_ resource: DesiredResource, after triggers: [ResourceID], in applier: Applier) async throws -> Applied {
        let spec = Self.spec(resource)
        let command = spec.run.joined(separator: " ")
        let because = triggers.isEmpty ? "again after a failed run" : "after " + triggers.map(\.description).joined(separator: ", ") + " changed"
        func failed(_ why: String) -> Applied { Applied(reason: .commandFailed, message: "run (\(command)) \(why)".escapingControlCharacters) }
        guard let program = ChildProcess.find(spec.run[0]) else { return failed("cannot run: \(spec.run[0]) was not found (\(because))") }
        if !spec.cwd.isEmpty {
            do {
                guard let fd = try applier.fs.openDirectory(spec.cwd) else { return failed("cannot run: its cwd \(spec.cwd) does not exist in the target (\(because))") }
                close(fd)
            } catch {
                return failed("cannot run in \(spec.cwd): \(error) (\(because))")
            }
        }
        let folder = spec.cwd.isEmpty ? applier.fs.root : applier.fs.root + "/" + spec.cwd
        var tail: [UInt8] = []
        let clock = ContinuousClock(), start = clock.now
        let out: ChildOutput
        do {
            out = try await ChildProcess.run(program, Array(spec.run.dropFirst()), workingDirectory: folder, timeout: spec.timeout) { chunk in
                tail += chunk
                if tail.count > 2 * Self.tailBytes { tail.removeFirst(tail.count - Self.tailBytes) }
            }
        } catch {
            return failed("failed: \(error) (\(because))")
        }
        let took = clock.now - start
        let output = Self.tail(String(decoding: tail.suffix(Self.tailBytes), as: UTF8.self) + out.stderr)
        let ran = "exit \(out.status) in \(String(format: "%.1fs", Double(took.components.seconds) + Double(took.components.attoseconds) / 1e18))"
        let said = output.isEmpty ? "" : "; output: \(output)"
        if out.status != 0 { return failed("failed: \(ran), \(because)\(said)") }
        return Applied(reason: .commandRan, message: "ran (\(command)): \(ran), \(because)\(said)".escapingControlCharacters)
    }

    /// The last lines of `text`, at most `tailBytes` of them, on one line of the journal.
    static func tail(_ text: String) -> String {
        var lines: [Substring] = []
        var size = 0
        for line in text.split(whereSeparator: \.isNewline).reversed() {
            guard size + line.utf8.count <= tailBytes, lines.count < 5 else { break }
            lines.insert(line, at: 0)
            size += line.utf8.count
        }
        return lines.joined(separator: " ⏎ ").escapingControlCharacters
    }
}
