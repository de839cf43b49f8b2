import Foundation
import Testing
import TestSupport

/// A hostile or broken machine (the hardening issue, items 6, 8, 9, 10 and 14): a git that hangs,
/// plumbs racing each other on one state dir, a plumb killed with its git running, state others
/// could read, a damaged store.
@Suite struct HostileMachineTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"welcome\\n\"\n")
        try fx.source.commit("motd")
    }

    /// A git whose `fetch` hangs (writing its pid first), and that is git for everything else.
    func hangingGit() throws -> (path: String, pids: String) {
        let path = fx.state.file("hanging-git"), pids = fx.state.file("hanging-pids")
        try """
            #!/bin/sh
            for arg; do [ "$arg" = fetch ] && { echo $$ >> \(pids); exec sleep 600; }; done
            exec git "$@"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o755)
        return (path, pids)
    }

    func alive(_ pidsFile: String) -> [pid_t] {
        ((try? String(contentsOfFile: pidsFile, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { pid_t($0) }.filter { kill($0, 0) == 0 }
    }

    func mode(_ path: String) -> Int {
        var info = stat()
        return lstat(path, &info) == 0 ? Int(info.st_mode & 0o7777) : -1
    }

    // MARK: Item 8: no git hangs plumb

    @Test func aHungFetchTimesOutInStatusAndSyncAndIsKilled() throws {
        let (git, pids) = try hangingGit()
        let env = ["PLUMB_GIT": git, "PLUMB_GIT_TIMEOUT": "2s"]
        for command in ["status", "sync"] {
            let started = Date()
            let run = try fx.plumb(command, env: env)
            #expect(run.status == 1, "\(command)")
            #expect(run.stderr.contains("git fetch failed: hanging-git did not finish within 2s and was stopped"), "\(command): \(run.stderr)")
            #expect(Date().timeIntervalSince(started) < 20)
        }
        #expect(eventually(5) { alive(pids).isEmpty }, "the hung git and its children are killed")
    }

    @Test func anAgentWithAHungSourceStillHealsAndEndsOnSIGTERM() throws {
        #expect(try fx.plumb("sync").status == 0)
        let (git, pids) = try hangingGit()
        let agent = try fx.spawn(["agent", "--auto-sync", "--interval", "1s"])
        agent.terminate()
        agent.waitUntilExit()
        let hung = Process()
        hung.executableURL = URL(fileURLWithPath: PlumbBinary.path)
        hung.arguments = ["agent", "--auto-sync", "--interval", "3s"]
        hung.environment = ProcessInfo.processInfo.environment.merging(fx.environment.merging(["PLUMB_GIT": git, "PLUMB_GIT_TIMEOUT": "60s"]) { _, new in new }) { _, new in new }
        hung.standardOutput = FileHandle.nullDevice
        hung.standardError = FileHandle.nullDevice
        try hung.run()
        #expect(eventually(10) { !alive(pids).isEmpty }, "the agent's fetch hangs")
        try fx.target.write("etc/motd", "hand edit\n")
        #expect(eventually(20) { fx.target.read("etc/motd") == "welcome\n" }, "healed while the fetch hangs")
        let stopping = Date()
        hung.terminate()
        hung.waitUntilExit()
        #expect(hung.terminationStatus == 0)
        #expect(Date().timeIntervalSince(stopping) < 10, "SIGTERM ends the agent though git hangs")
        #expect(eventually(5) { alive(pids).isEmpty }, "its git ends with it")
    }

    @Test func aGitChildDiesWithAPlumbKilledByKill9() throws {
        let (git, pids) = try hangingGit()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PlumbBinary.path)
        process.arguments = ["status"]
        process.environment = ProcessInfo.processInfo.environment.merging(fx.environment.merging(["PLUMB_GIT": git]) { _, new in new }) { _, new in new }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        #expect(eventually(10) { !alive(pids).isEmpty })
        // Idle for longer than Swift's pool keeps a thread: the death signal must still come.
        sleep(6)
        #expect(!alive(pids).isEmpty, "git runs as long as plumb does")
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(eventually(5) { alive(pids).isEmpty }, "git dies with plumb")
    }

    // MARK: Items 9 and 10: plumbs racing on one state dir

    @Test func concurrentStatusAndSyncAfterANewCommitNeverCollide() throws {
        #expect(try fx.plumb("sync").status == 0)
        for round in 0..<3 {
            try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"round \(round)\\n\"\n")
            try fx.source.commit("round \(round)")
            let results = try Self.parallel(21) { index in try fx.plumb(index == 0 ? "sync" : "status") }
            for (index, result) in results.enumerated() {
                #expect(result.status != 1, "\(index == 0 ? "sync" : "status") failed: \(result.stderr)")
                #expect(!result.stderr.contains("cannot lock ref"))
            }
            #expect(fx.target.read("etc/motd") == "round \(round)\n")
        }
    }

    @Test func concurrentFirstCommandsOnANewStateDirAllWork() throws {
        let results = try Self.parallel(30) { _ in try fx.plumb("status") }
        for result in results {
            #expect(result.status == 2, "\(result.stderr)")
            #expect(!result.stderr.contains("Directory not empty"))
        }
    }

    /// Runs `count` bodies at once on threads of their own; their results in order.
    static func parallel(_ count: Int, _ body: @escaping @Sendable (Int) throws -> ProcessResult) throws -> [ProcessResult] {
        let results = Results(count)
        DispatchQueue.concurrentPerform(iterations: count) { index in results.set(index, Result { try body(index) }) }
        return try results.values.map { try $0!.get() }
    }

    final class Results: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [Result<ProcessResult, any Error>?]
        init(_ count: Int) { stored = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Result<ProcessResult, any Error>) { lock.lock(); stored[index] = value; lock.unlock() }
        var values: [Result<ProcessResult, any Error>?] { lock.lock(); defer { lock.unlock() }; return stored }
    }

    // MARK: Item 6: what plumb keeps is its owner's only

    @Test func theStateDirIsPrivateFromTheStartAndTightenedOnOpen() throws {
        let state = fx.state.file("state")
        #expect(try fx.plumb("status").status == 2)
        #expect(mode(state) == 0o700)
        for file in ["state.sqlite", "state.sqlite-wal", "state.sqlite-shm"] { #expect(mode(state + "/" + file) == 0o600, "\(file)") }

        chmod(state, 0o755)
        chmod(state + "/state.sqlite", 0o644)
        #expect(try fx.plumb("status").status == 2)
        #expect(mode(state) == 0o700, "an existing state dir is tightened")
        #expect(mode(state + "/state.sqlite") == 0o600)
    }

    @Test func backupsAreTheOwnersOnly() throws {
        try fx.target.write("etc/motd", "someone's words\n")
        #expect(try fx.plumb("sync").status == 0)
        let backups = fx.state.file("state/backups")
        let files = (FileManager.default.enumerator(atPath: backups)?.allObjects as? [String] ?? []).filter { $0.hasSuffix("motd") }
        #expect(files.count == 1)
        for file in files { #expect(mode(backups + "/" + file) == 0o600) }
        #expect(mode(backups) == 0o700)
    }

    /// Content plumb applied as sensitive stays hidden though the path is declared again without it.
    @Test func contentAppliedAsSensitiveIsNotShownWhenRedeclaredPlain() throws {
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"hunter2\\n\"\n  sensitive: true\n")
        try fx.source.commit("secret")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"public\\n\"\n")
        try fx.source.commit("not secret any more")
        let diff = try fx.plumb("diff")
        #expect(diff.status == 2)
        #expect(!diff.stdout.contains("hunter2"), "\(diff.stdout)")
        #expect(diff.stdout.contains("was applied as sensitive"), "\(diff.stdout)")
    }

    // MARK: Item 14: a damaged store says so and loses nothing

    @Test(arguments: [0, 3000])
    func aDamagedDatabaseIsRefusedAndKept(keepingBytes: Int) throws {
        #expect(try fx.plumb("sync").status == 0)
        let database = fx.state.file("state/state.sqlite")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: database + suffix) }
        truncate(database, off_t(keepingBytes))
        let status = try fx.plumb("status")
        #expect(status.status == 1)
        #expect(status.stderr.contains("the state database \(database) is damaged"), "\(status.stderr)")
        #expect(status.stderr.contains("move it aside"))
        var info = stat()
        #expect(stat(database, &info) == 0 && Int(info.st_size) == keepingBytes, "the damaged file is kept as it was")
    }

    @Test func aMirrorWithAGarbageHEADIsMadeAgain() throws {
        #expect(try fx.plumb("sync").status == 0)
        try "garbage\n".write(toFile: fx.state.file("state/mirror.git/HEAD"), atomically: true, encoding: .utf8)
        let status = try fx.plumb("status")
        #expect(status.status == 0, "\(status.stderr)")
    }
}
