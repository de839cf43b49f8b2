import ArgumentParsing
import ChildProcess
import DesiredState
import Engine
import Foundation

struct Agent: Command, RunsUntilStopped {
    static let summary = CommandSummary(
        name: "agent", abstract: "Reconcile continuously, without a screen.",
        discussion: """
            Each pass fetches the source, observes the target, journals drift when it appears and when \
            it goes, and with auto-sync applies. One agent per state dir. SIGTERM or SIGINT end it \
            after the step in progress, with exit status 0.
            """)

    var options = SourceOptions()
    var interval: String?
    var autoSync = false
    var prune = false
    var once = false

    static var parameters: [Parameter<Agent>] {
        Parameter.group(\.options) + [
            .option(\.interval, "interval", value: "duration", help: "Time between passes, such as 500ms, 30s or 5m (default: plumb.yaml, else 30s)."),
            .flag(\.autoSync, "auto-sync", help: "Apply drift as soon as it is seen (default: plumb.yaml's autoSync, else off)."),
            .flag(\.prune, "prune", help: "With auto-sync, delete extras plumb applied, while unchanged since."),
            .flag(\.once, "once", help: "Run one full pass and exit: 0 when in sync afterwards, 1 otherwise."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            var settings = Reconciler.Options()
            if let interval {
                guard let duration = Duration.parse(interval), duration > .zero else {
                    throw StateError("bad --interval \(interval.escapingControlCharacters): write a number and a unit, such as 500ms, 30s, 5m or 1h")
                }
                settings.interval = duration
            }
            if autoSync { settings.autoSync = true }
            settings.prune = prune
            settings.fetch = !options.noFetch
            let reconciler = try Reconciler(engine: try await Engine(config: options.config()), options: settings)
            if once {
                let pass = await reconciler.pass()
                await reconciler.flushAlerts()
                if let error = pass.error { FileHandle.standardError.write(Data("plumb: \(error.escapingControlCharactersByLine)\n".utf8)) }
                throw ExitCode(pass.inSync && pass.error == nil ? 0 : 1)
            }
            // `plumb status` and `plumb diff` ask here first; without the socket they observe by themselves.
            let socket = AgentView.listen(for: reconciler)
            defer { socket?.stop() }
            let loop = Task { await reconciler.run() }
            let watch = SignalWatch([SIGTERM, SIGINT]) { loop.cancel() }
            await loop.value
            withExtendedLifetime(watch) {}
        }
    }
}
