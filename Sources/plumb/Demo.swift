import ArgumentParsing
import Console
import Engine
import Foundation
import TerminalBackend
import ThemeFiles
import VersionSource

struct Demo: Command, RunsUntilStopped {
    static let summary = CommandSummary(
        name: "demo", abstract: "Make a demo source, target and state dir, and open the console on them.",
        discussion: """
            DIR/source.git is a bare desired-state repository with a history (one commit a rollback), \
            two proposals (one failing policy) and a policy; DIR/work a clone to edit and push; \
            DIR/target a machine's files synced a few commits ago and edited by hand since; \
            DIR/state plumb's state dir. DIR must be new or empty. Without --dir, a new temporary folder.
            """)

    var dir: String?
    var noUi = false
    var theme = "default"

    static var parameters: [Parameter<Demo>] {
        [
            .option(\.dir, "dir", value: "dir", help: "Where to make the demo: a new or empty folder (default: a new temporary one)."),
            .flag(\.noUi, "no-ui", help: "Make the demo and print how to open it, without opening the console."),
            .option(\.theme, "theme", value: "name|file", help: "The console's theme (see plumb themes)."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            // What would keep the console from opening is found before anything is made.
            if !noUi {
                do {
                    _ = try Terminal.usableType()
                } catch {
                    throw StateError("\(error); plumb demo --no-ui makes the demo without opening it")
                }
                _ = try ThemeFiles.load(theme, directories: [ThemeFiles.userDirectory()]).get()
            }
            let demo = try DemoDirectory(dir)
            try await demo.make()
            let program = CommandLine.arguments.first ?? "plumb"
            if noUi {
                print(demo.guide(program: program))
                return
            }
            try await openConsole(config: demo.config, settings: Reconciler.Options(), theme: theme)
            print("The demo stays in \(demo.root); open it again with:\n\n\(demo.openCommand(program: program))")
        }
    }
}

/// The folder of one demo, and how it is made: the scene's commits pushed to a bare source, the
/// target synced part-way, the rest of the history, the proposals and the hand edits after.
struct DemoDirectory {
    let root: String
    var source: String { root + "/source.git" }
    var work: String { root + "/work" }
    var target: String { root + "/target" }
    var state: String { root + "/state" }
    var config: EngineConfig {
        EngineConfig(source: SourceRef(url: source, branch: "main", path: ""), target: target, stateDir: StateDirectory(path: state))
    }

    /// A new temporary folder, or `dir` when it is new or empty: a demo is never made over another one.
    init(_ dir: String?) throws {
        root = try dir.map { try newFolder($0, for: "demo") } ?? temporaryFolder("plumb-demo")
    }

    /// Makes the whole scene; on any failure removes what it made, so the folder is empty again.
    func make() async throws {
        do {
            // The operator's own git settings (signing, hooks, another default branch) must not
            // shape the scene: it is made with none.
            let engine = try await withEnvironment(["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"]) { try await makeScene() }
            try await nameAnOperator(engine)
        } catch {
            for folder in [source, work, target, state] { try? FileManager.default.removeItem(atPath: folder) }
            throw StateError("making the demo in \(root) failed, and what was made is removed: \(error)")
        }
    }

    /// The scene, up to the journal of a first look; returns the engine that made it.
    private func makeScene() async throws -> Engine {
        let git = Git()
        try await git.output(["init", "--quiet", "--bare", "--initial-branch=main", source], what: "making the demo's source")
        try await git.output(["init", "--quiet", "--initial-branch=main", work], what: "making the demo's work clone")
        try await git.output(["-C", work, "remote", "add", "origin", source], what: "making the demo's work clone")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)

        for change in DemoScene.applied { try await commit(change) }
        try await git.output(["-C", work, "branch", "--quiet", "--set-upstream-to=origin/main"], what: "making the demo's work clone")
        let engine = try await Engine(config: config)
        let report = try await engine.sync(SyncOptions())
        if !report.failures.isEmpty { throw StateError("the demo's first sync failed: \(report.failures)") }

        try await commit(DemoScene.broken)
        try await engine.fetch()
        let plan = try await engine.planRollback(to: report.revision)
        _ = try await actingAs(DemoScene.rollback.author, age: DemoScene.rollback.age) { try await engine.rollback(plan) }
        try await git.output(["-C", work, "pull", "--quiet", "--ff-only", "origin", "main"], what: "updating the demo's work clone")
        try await commit(DemoScene.head)
        for (name, change) in DemoScene.proposals {
            try await git.output(["-C", work, "checkout", "--quiet", "-b", "proposal/\(name)", "main"], what: "starting proposal/\(name)")
            try await commit(change, branch: "proposal/\(name)")
            try await git.output(["-C", work, "checkout", "--quiet", "main"], what: "going back to main")
        }
        try editTargetByHand()
        // One pass, as the console would make on opening: the journal holds the new revisions,
        // the proposals and the drift.
        var settings = Reconciler.Options()
        settings.autoSync = false
        _ = try await Reconciler(engine: engine, options: settings).pass()
        return engine
    }

    /// Approvals and rollbacks from the console need someone to sign them: the operator's own git
    /// identity, or else a demo operator set in the demo's own repositories.
    private func nameAnOperator(_ engine: Engine) async throws {
        guard (try? await engine.mirror.identity()) == nil else { return }
        for repository in [state + "/mirror.git", work + "/.git"] {
            for (key, value) in [("user.name", DemoScene.operatorOfDemo.name), ("user.email", DemoScene.operatorOfDemo.email)] {
                try await Git().output(["--git-dir", repository, "config", key, value], what: "naming the demo's operator")
            }
        }
    }

    /// Commits `change` in the work clone as its author, dated as the scene says, and pushes it.
    private func commit(_ change: DemoScene.Change, branch: String = "main") async throws {
        for (path, text) in change.write { try writeFile(text, to: work + "/" + path) }
        let git = Git()
        try await actingAs(change.author, age: change.age) {
            try await git.output(["-C", work, "add", "--all"], what: "committing \(change.message)")
            try await git.output(["-C", work, "commit", "--quiet", "-m", change.message], what: "committing \(change.message)")
            try await git.output(["-C", work, "push", "--quiet", "origin", "HEAD:refs/heads/\(branch)"], what: "pushing \(change.message)")
        }
    }

    /// Runs `body` with git's author and committer set to `author`, `age` ago.
    private func actingAs<T>(_ author: DemoScene.Author, age: TimeInterval, _ body: () async throws -> T) async throws -> T {
        let date = "@\(Int(Date().timeIntervalSince1970 - age)) +0000"
        return try await withEnvironment([
            "GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_AUTHOR_DATE": date,
            "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email, "GIT_COMMITTER_DATE": date,
        ], body)
    }

    /// Runs `body` with these variables in the environment, which every git that plumb starts
    /// inherits, then puts back what was there. Only the demo does this, before any other work runs.
    private func withEnvironment<T>(_ variables: [String: String], _ body: () async throws -> T) async throws -> T {
        let before = variables.keys.map { ($0, getenv($0).map { String(cString: $0) }) }
        for (name, value) in variables { setenv(name, value, 1) }
        defer { for (name, value) in before { if let value { setenv(name, value, 1) } else { unsetenv(name) } } }
        return try await body()
    }

    private func editTargetByHand() throws {
        let edits = DemoScene.handEdits
        let conf = try FileHandle(forWritingTo: URL(fileURLWithPath: target + "/" + edits.append.path))
        try conf.seekToEnd()
        try conf.write(contentsOf: Data(edits.append.text.utf8))
        try conf.close()
        guard chmod(target + "/" + edits.chmod.path, edits.chmod.mode) == 0 else {
            throw StateError("cannot change the mode of \(edits.chmod.path): \(String(cString: strerror(errno)))")
        }
        try FileManager.default.removeItem(atPath: target + "/" + edits.delete)
        try Data(edits.create.text.utf8).write(to: URL(fileURLWithPath: target + "/" + edits.create.path))
        try Data(edits.ignored.text.utf8).write(to: URL(fileURLWithPath: target + "/" + edits.ignored.path))
    }

    /// The environment and command that open the console on this demo.
    func openCommand(program: String) -> String {
        "  export PLUMB_REPO=\(source) PLUMB_TARGET=\(target) PLUMB_STATE=\(state)\n  \(program)"
    }

    /// What `--no-ui` prints: what is where, how to open it, how to make more drift.
    func guide(program: String) -> String {
        """
        The demo is ready in \(root):
          source.git  the desired-state repository: a history with a rollback, two proposals, a policy
          work        a clone of it: edit, commit and push there to change what the machine should hold
          target      the machine: synced a few commits ago, then edited by hand
          state       plumb's state dir: its journal, its mirror of the source, its backups

        Open the console on it:

        \(openCommand(program: program))

        Or ask from the command line: \(program) status, \(program) diff, \(program) proposals, \(program) history.
        Make more drift by hand and watch the console see it:

          echo "# by hand" >> \(target)/etc/motd
          rm \(target)/srv/app/current
        """
    }
}
