import Foundation
import Testing
import TestSupport

/// Commands with the real binary and real programs: one runs once per sync when what it watches
/// changed, after it; a failed run stays OutOfSync (Degraded) and runs again at the next sync.
@Suite struct CommandTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
    }

    /// A site of two files, a Command that notes each run in `runs`, failing while `fail` exists.
    func declare(_ index: String, _ about: String = "about\\n") throws {
        try fx.source.write("resources/site.yaml", """
            kind: File
            name: index
            spec: {path: www/index.html, content: "\(index)"}
            ---
            kind: File
            name: about
            spec: {path: www/about.html, content: "\(about)"}
            ---
            kind: Command
            name: rebuild
            spec:
              run: ["sh", "-c", "echo run >> runs; test ! -e fail || { echo 'cannot rebuild' >&2; exit 3; }"]
              onChangeOf: [File/index, File/about]
              cwd: www
            """)
        try fx.source.commit(index)
    }

    var runs: Int { fx.target.read("www/runs")?.split(separator: "\n").count ?? 0 }

    @Test func runsOncePerChangeAfterWhatItWatches() throws {
        try declare("one\\n")
        let plan = try fx.plumb("sync", "--dry-run")
        #expect(plan.stdout.contains("order: create File/index → create File/about → run Command/rebuild"), "\(plan.stdout)")
        #expect(plan.stdout.contains("runs: sh -c echo run >> runs;"), "the dry run shows the argv before it runs: \(plan.stdout)")
        #expect(runs == 0, "a dry run runs nothing")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(runs == 1, "two files changed, one run, in its cwd")
        #expect(try fx.messages(of: "CommandRan").last?.hasPrefix("ran (sh -c echo run >> runs;") == true)
        #expect(try fx.messages(of: "CommandRan").last?.contains("exit 0 in ") == true)
        #expect(try fx.plumb("sync").status == 0)
        #expect(runs == 1, "nothing changed: no run")
        try declare("two\\n")
        #expect(try fx.plumb("sync").status == 0)
        #expect(runs == 2)
    }

    @Test func aFailedRunIsDegradedAndRunsAgainAtTheNextSync() throws {
        try fx.target.write("www/fail", "")
        try declare("one\\n")
        let failed = try fx.plumb("sync")
        #expect(failed.status == 1)
        #expect(runs == 1)
        let message = try #require(try fx.messages(of: "CommandFailed").last)
        #expect(message.contains("failed: exit 3") && message.contains("cannot rebuild"), "the exit and the output's tail: \(message)")
        let rebuild = try #require(try fx.resource("Command/rebuild"))
        #expect(rebuild["health"] as? String == "Degraded" && rebuild["sync"] as? String == "OutOfSync", "\(rebuild)")
        #expect((rebuild["message"] as? String)?.contains("its last run failed") == true, "\(rebuild)")
        try FileManager.default.removeItem(atPath: fx.target.file("www/fail"))
        #expect(try fx.plumb("sync").status == 0, "it runs again though nothing it watches changed")
        #expect(runs == 2)
        #expect(try fx.plumb("sync").status == 0)
        #expect(runs == 2, "and then not again")
        #expect(try fx.plumb("status").status == 0, "Synced")
    }

    @Test func aCwdThroughASymlinkIsRefused() throws {
        let outside = try Scratch()
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("www"), withDestinationPath: outside.path)
        try fx.source.write("resources/c.yaml", """
            kind: File
            name: f
            spec: {path: f, content: "x"}
            ---
            kind: Command
            name: c
            spec: {run: ["touch", "ran"], onChangeOf: [File/f], cwd: www}
            """)
        try fx.source.commit("cwd through a symlink")
        #expect(try fx.plumb("sync").status == 1)
        #expect(!FileManager.default.fileExists(atPath: outside.file("ran")), "nothing ran outside the target")
        let failed = try fx.messages(of: "CommandFailed")
        #expect(failed.last?.contains("run (touch ran) cannot run in www: www: is a symlink; plumb does not follow symlinks (after File/f changed)") == true, "\(failed)")
    }

    @Test func aCommandThatHangsIsStoppedAtItsTimeout() throws {
        try fx.source.write("resources/slow.yaml", """
            kind: File
            name: f
            spec: {path: f, content: "x"}
            ---
            kind: Command
            name: slow
            spec: {run: ["sleep", "60"], onChangeOf: [File/f], timeout: 500ms}
            """)
        try fx.source.commit("slow")
        let start = Date()
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(Date().timeIntervalSince(start) < 20)
        #expect(try fx.messages(of: "CommandFailed").last?.contains("did not finish within 500ms") == true)
    }
}

/// Without a running systemd (this machine, a container) a Service is Unknown with the reason,
/// a sync refuses it, and files still work.
@Suite(.enabled(if: !FileManager.default.fileExists(atPath: "/run/systemd/system"), "this machine runs systemd"))
struct NoSystemdTests {
    @Test func aServiceIsUnknownAndRefusedWhileFilesApply() throws {
        let fx = try PlumbFixture()
        try fx.source.write("resources/web.yaml", """
            kind: Service
            name: web
            spec: {unit: web.service}
            ---
            kind: File
            name: conf
            spec: {path: etc/web.conf, content: "x\\n"}
            """)
        try fx.source.commit("web")
        let web = try #require(try fx.resource("Service/web"))
        #expect(web["sync"] as? String == "Unknown" && web["health"] as? String == "Unknown", "\(web)")
        #expect((web["message"] as? String)?.hasPrefix("no systemd here") == true, "\(web)")
        #expect(web["path"] is NSNull, "a Service has no path")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stdout.contains("FAILED") && sync.stdout.contains("no systemd here"), "\(sync.stdout)")
        #expect(fx.target.read("etc/web.conf") == "x\n", "files still work")
    }
}
