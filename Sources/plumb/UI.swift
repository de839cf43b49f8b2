import ArgumentParsing
import ChildProcess
import Console
import DesiredState
import Engine
import Foundation
import TerminalBackend
import ThemeFiles

struct UI: Command, RunsUntilStopped {
    static let summary = CommandSummary(
        name: "ui", abstract: "The console: resources, proposals, history and events, with the engine running inside.",
        discussion: """
            plumb with no command opens it. The engine reconciles while the console is open, as \
            `plumb agent` would; beside a running agent the console only observes, and says so. \
            Press ? for the keys. NO_COLOR (any value) turns colour off.
            """)

    var options = SourceOptions()
    var theme = "default"
    var autoSync = false

    static var parameters: [Parameter<UI>] {
        Parameter.group(\.options) + [
            .option(\.theme, "theme", value: "name|file", help: "A theme: default, light, high-contrast, monochrome, a name in ~/.config/plumb/themes, or a file."),
            .flag(\.autoSync, "auto-sync", help: "Apply drift as soon as it is seen (default: plumb.yaml's autoSync, else off)."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            var settings = Reconciler.Options()
            if autoSync { settings.autoSync = true }
            settings.fetch = !options.noFetch
            try await openConsole(config: try options.config(), settings: settings, theme: theme)
        }
    }
}

/// Opens the console on a source and target until the operator quits: the engine of the state dir
/// runs inside it, or, beside another plumb that holds the state dir, an observer.
func openConsole(config: EngineConfig, settings: Reconciler.Options, theme themeName: String) async throws {
    let theme = try ThemeFiles.load(themeName, directories: [ThemeFiles.userDirectory()]).get()
    let engine = try await Engine(config: config)
    var observerOf: String?
    let reconciler: Reconciler?
    do {
        reconciler = try Reconciler(engine: engine, options: settings)
    } catch let busy as EngineLock.Busy {
        reconciler = nil
        observerOf = busy.holder.description
    }
    let noColor = !(environmentValue("NO_COLOR") ?? "").isEmpty
    let terminal = try Terminal(noColor: noColor)
    LogSetup.toFile(engine.config.stateDir.path + "/console.log")
    defer { LogSetup.toStandardError() }
    // Holding the state dir, the console answers `plumb status` and `plumb diff` as the agent does.
    let socket = reconciler.flatMap(AgentView.listen(for:))
    defer { socket?.stop() }
    let session = ConsoleSession(engine: engine, reconciler: reconciler, terminal: terminal, theme: theme,
                                 mode: EngineMode(autoSync: settings.autoSync == true, observerOf: observerOf))
    await session.run()
}
