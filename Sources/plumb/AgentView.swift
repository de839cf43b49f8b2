import Engine
import Foundation
import Logging

/// `plumb status` and `plumb diff` beside a running agent: the command asks the agent first
/// (`AgentSocket`), and the agent makes the command's output from the view it holds; when no
/// agent answers, or it declines, the command observes by itself. Either way the output is made
/// by the same functions (`Status.output`, `Diff.output`).
enum AgentView {
    /// What a command prints, and its exit status.
    struct Output {
        var stdout: String
        var stderr = ""
        var exitCode: Int32

        /// What a command that compared the target with `snapshot` prints: exit status 0 when
        /// `clean`, 2 when not; when the head is invalid (the target was shown against the applied
        /// revision instead), why on stderr and exit status 1, since the head cannot be applied.
        init(stdout: String, showing snapshot: Snapshot, clean: Bool) {
            self.stdout = stdout
            guard let invalid = snapshot.invalidHead else {
                exitCode = clean ? 0 : 2
                return
            }
            stderr = "plumb: \(invalid.description.escapingControlCharactersByLine)\nplumb: shown against the applied revision \(snapshot.desired.revision.prefix(12)) instead\n"
            exitCode = 1
        }

        init(stdout: String, stderr: String, exitCode: Int32) {
            (self.stdout, self.stderr, self.exitCode) = (stdout, stderr, exitCode)
        }
    }

    /// How long a command waits for the agent (in the middle of a long pass, say) before it
    /// observes by itself.
    static let patience = 3

    /// Asks the running agent for `command`'s output and, when it answers, prints it and ends the
    /// process; returns when no agent answers or it declines.
    static func askFirst(_ command: ViewRequest.Command, config: EngineConfig, options: SourceOptions) throws {
        let request = ViewRequest(identity: config.identity, command: command, paint: options.paint.enabled, fetch: !options.noFetch)
        let logger = Logger(label: "plumb.view")
        switch AgentSocket.ask(config.stateDir.agentSocket, timeout: patience) { request.bytes }.flatMap(ViewReply.init(bytes:)) {
        case .answered(let stdout, let stderr, let exitCode)?:
            logger.debug("the running agent answered")
            deliver(Output(stdout: stdout, stderr: stderr, exitCode: exitCode))
        case .declined(let why)?:
            logger.debug("the running agent declined (\(why)); observing here")
        case nil:
            logger.debug("no agent answered; observing here")
        }
    }

    /// Listens on the state dir's `agent.sock` for the engine `reconciler` runs (the agent's, or
    /// the console's when it holds the state dir); nil, with a warning, when it cannot: commands
    /// then observe by themselves.
    static func listen(for reconciler: Reconciler) -> AgentSocket? {
        do {
            let socket = try AgentSocket(path: reconciler.engine.config.stateDir.agentSocket)
            socket.serve { await answer($0, reconciler: reconciler) }
            return socket
        } catch {
            Logger(label: "plumb.agent").warning("plumb status observes by itself: \(error)")
            return nil
        }
    }

    /// The agent's answer to a request that came over its socket: the output made from its view,
    /// or why it declines.
    static func answer(_ bytes: [UInt8], reconciler: Reconciler) async -> [UInt8] {
        guard let request = ViewRequest(bytes: bytes) else { return ViewReply.declined("that is not a request plumb makes").bytes }
        let engine = reconciler.engine
        guard request.identity == engine.config.identity else {
            return ViewReply.declined("the agent follows another source, target or host").bytes
        }
        guard let snapshot = await reconciler.view(fetch: request.fetch) else {
            return ViewReply.declined("the agent holds no view it can vouch for").bytes
        }
        let paint = Paint(enabled: request.paint)
        let output: Output
        switch request.command {
        case .status(let all, let json):
            output = Status.output(snapshot, engine: engine, all: all, json: json, paint: paint)
        case .diff(let ids):
            do {
                output = try await Diff.output(snapshot, engine: engine, wanted: try resourceIDs(ids), paint: paint)
            } catch {
                output = Output(stdout: "", stderr: "plumb: \("\(error)".escapingControlCharactersByLine)\n", exitCode: 1)
            }
        }
        return ViewReply.answered(stdout: output.stdout, stderr: output.stderr, exitCode: output.exitCode).bytes
    }

    /// Writes what the command prints and ends the process with its status.
    static func deliver(_ output: Output) -> Never {
        FileHandle.standardOutput.write(Data(output.stdout.utf8))
        if !output.stderr.isEmpty { FileHandle.standardError.write(Data(output.stderr.utf8)) }
        Foundation.exit(output.exitCode)
    }
}
