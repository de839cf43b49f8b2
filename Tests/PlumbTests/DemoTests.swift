import Foundation
import Testing
import TestSupport

/// `plumb demo`: the scene a newcomer meets first, checked with plumb's own commands as they would.
@Suite struct DemoTests {
    let folder: Scratch
    let dir: String
    /// An operator with no git identity of their own: the demo must still let them approve.
    let noIdentity: [String: String]

    init() throws {
        folder = try Scratch()
        dir = folder.file("demo")
        noIdentity = ["GIT_CONFIG_GLOBAL": folder.file("empty.gitconfig"), "GIT_CONFIG_NOSYSTEM": "1", "HOME": folder.path]
        try "".write(toFile: noIdentity["GIT_CONFIG_GLOBAL"]!, atomically: true, encoding: .utf8)
    }

    var demoEnvironment: [String: String] {
        noIdentity.merging(["PLUMB_REPO": dir + "/source.git", "PLUMB_TARGET": dir + "/target", "PLUMB_STATE": dir + "/state"]) { _, new in new }
    }

    func plumb(_ arguments: String...) throws -> ProcessResult {
        try run(PlumbBinary.path, arguments, env: demoEnvironment)
    }

    func json(_ arguments: String...) throws -> Any {
        let result = try run(PlumbBinary.path, arguments, env: demoEnvironment)
        #expect(result.status != 1, "\(arguments): \(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    @Test func theSceneHoldsEveryDriftKindBothVerdictsAndARollback() throws {
        let made = try run(PlumbBinary.path, ["demo", "--dir", dir, "--no-ui"], env: noIdentity)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("export PLUMB_REPO=\(dir)/source.git PLUMB_TARGET=\(dir)/target PLUMB_STATE=\(dir)/state"), "\(made.stdout)")
        #expect(made.stdout.contains("rm \(dir)/target/"), "it says how to make drift by hand")

        let status = try #require(try json("status", "--json") as? [String: Any])
        let resources = try #require(status["resources"] as? [[String: Any]])
        let drift = Set(resources.compactMap { $0["drift"] as? String })
        #expect(drift == ["missing", "modified", "extra", "pending"], "hand edits, and the head's new log rotation not applied yet")
        #expect(resources.first { $0["id"] as? String == "File/app-logrotate" }?["drift"] as? String == "pending")
        #expect(resources.contains { $0["sync"] as? String == "Synced" }, "not everything drifted")
        // A template and an ignore: nginx's config is rendered from vars/ for this host, and the
        // editor's swap file in the served folder is neither drift nor extra.
        let nginx = try String(contentsOfFile: dir + "/target/etc/nginx/nginx.conf", encoding: .utf8)
        #expect(nginx.contains("worker_connections 4096;") && !nginx.contains("{{"), "\(nginx)")
        #expect(FileManager.default.fileExists(atPath: dir + "/target/srv/www/.index.html.swp"))
        #expect(!resources.contains { ($0["path"] as? String)?.hasSuffix(".swp") == true })

        // The journal tells the story already, before anyone asked about proposals.
        let reasons = Set(try plumb("events", "--json").stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reason"] as? String
        })
        #expect(reasons.isSuperset(of: ["SyncSucceeded", "RollbackCreated", "ProposalOpened", "PolicyViolation", "DriftDetected"]), "\(reasons)")

        let proposals = try #require(try json("proposals", "--json") as? [[String: Any]])
        let verdicts = Dictionary(uniqueKeysWithValues: proposals.map { ($0["name"] as? String ?? "", $0["policy"] as? String ?? "") })
        #expect(verdicts == ["tls-redirect": "pass", "open-uploads": "fail"])
        let failing = try #require(proposals.first { $0["name"] as? String == "open-uploads" })
        #expect((failing["violations"] as? [String] ?? []).contains { $0.contains("no-world-writable") && $0.contains("0777") })
        #expect(proposals.allSatisfy { $0["mergeable"] as? String == "clean" })

        let history = try #require(try json("history", "--json") as? [[String: Any]])
        #expect(history.count >= 5)
        #expect(Set(history.compactMap { $0["author"] as? String }).count >= 3, "a team wrote it")
        let applied = try #require(history.firstIndex { $0["applied"] as? Bool == true })
        #expect(applied > 0, "the target is synced to an earlier revision than the head")
        let rollback = try #require(history.first { $0["rollbackOf"] is String })
        #expect(rollback["rollbackOf"] as? String == history[applied]["sha"] as? String)
        let dates = history.compactMap { $0["time"] as? String }
        #expect(dates == dates.sorted(by: >), "newest first, dated as a believable history")

        // The work clone follows the source, ready to edit and push.
        let work = try run("git", ["-C", dir + "/work", "status", "--porcelain", "--branch"])
        #expect(work.stdout.hasPrefix("## main...origin/main\n") && !work.stdout.contains("behind"), "\(work.stdout)")
        #expect(try run("git", ["-C", dir + "/work", "rev-parse", "HEAD"]).stdout == (try run("git", ["--git-dir", dir + "/source.git", "rev-parse", "main"]).stdout))

        // Someone with no git identity can still approve in the demo.
        let approve = try plumb("approve", "tls-redirect", "--yes")
        #expect(approve.status == 0, "\(approve.stderr)")
        let merge = try run("git", ["--git-dir", dir + "/source.git", "log", "-1", "--format=%B", "main"]).stdout
        #expect(merge.contains("Approved-by: Demo Operator <operator@example.org>"), "\(merge)")
    }

    @Test func aSecondDemoInOneFolderIsRefusedAndChangesNothing() throws {
        #expect(try run(PlumbBinary.path, ["demo", "--dir", dir, "--no-ui"], env: noIdentity).status == 0)
        let head = try run("git", ["--git-dir", dir + "/source.git", "rev-parse", "main"]).stdout
        let again = try run(PlumbBinary.path, ["demo", "--dir", dir, "--no-ui"], env: noIdentity)
        #expect(again.status == 1)
        #expect(again.stderr.contains("\(dir) is not empty"), "\(again.stderr)")
        #expect(try run("git", ["--git-dir", dir + "/source.git", "rev-parse", "main"]).stdout == head)

        try "x".write(toFile: folder.file("a-file"), atomically: true, encoding: .utf8)
        let onFile = try run(PlumbBinary.path, ["demo", "--dir", folder.file("a-file"), "--no-ui"], env: noIdentity)
        #expect(onFile.status == 1)
        #expect(onFile.stderr.contains("a-file is a file; plumb demo needs a new or empty folder"), "\(onFile.stderr)")
    }

    @Test func withoutADirItMakesATemporaryFolderAndSaysWhere() throws {
        let made = try run(PlumbBinary.path, ["demo", "--no-ui"], env: noIdentity.merging(["TMPDIR": folder.path]) { _, new in new })
        #expect(made.status == 0, "\(made.stderr)")
        let line = try #require(made.stdout.split(separator: "\n").first)
        #expect(line.hasPrefix("The demo is ready in \(folder.path)/plumb-demo-"), "\(line)")
        let root = String(line.dropFirst("The demo is ready in ".count).dropLast())
        for part in ["source.git", "work", "target", "state"] { #expect(FileManager.default.fileExists(atPath: root + "/" + part)) }
    }

    @Test func theOperatorsGitSettingsDoNotShapeTheScene() throws {
        // Signing without a key, hooks that refuse everything, another default branch.
        try folder.write("hooks/pre-commit", "#!/bin/sh\nexit 1\n", mode: 0o755)
        try folder.write("hooks/pre-push", "#!/bin/sh\nexit 1\n", mode: 0o755)
        try folder.write("hostile.gitconfig", "[commit]\n\tgpgsign = true\n[init]\n\tdefaultBranch = trunk\n[core]\n\thooksPath = \(folder.file("hooks"))\n")
        let made = try run(PlumbBinary.path, ["demo", "--dir", dir, "--no-ui"], env: noIdentity.merging(["GIT_CONFIG_GLOBAL": folder.file("hostile.gitconfig")]) { _, new in new })
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try run("git", ["--git-dir", dir + "/source.git", "rev-parse", "--verify", "--quiet", "main"]).status == 0)
    }

    @Test func withoutATerminalItSaysNoUIBeforeMakingAnything() throws {
        let refused = try run(PlumbBinary.path, ["demo", "--dir", dir], env: noIdentity)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("needs a terminal") && refused.stderr.contains("plumb demo --no-ui"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func aFailureHalfWayLeavesTheFolderEmpty() throws {
        // git that fails on the first push: the demo stops there and removes what it made.
        let fakeGit = folder.file("git")
        try "#!/bin/sh\nfor a in \"$@\"; do [ \"$a\" = push ] && { echo 'fatal: disk full' >&2; exit 1; }; done\nexec git \"$@\"\n"
            .write(toFile: fakeGit, atomically: true, encoding: .utf8)
        chmod(fakeGit, 0o755)
        let failed = try run(PlumbBinary.path, ["demo", "--dir", dir, "--no-ui"], env: noIdentity.merging(["PLUMB_GIT": fakeGit]) { _, new in new })
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("making the demo in \(dir) failed") && failed.stderr.contains("disk full"), "\(failed.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func theConsoleOpensOnTheDemoAndSaysWhereItStays() throws {
        let tmux = try TmuxSession(command: "\(TmuxSession.quote(PlumbBinary.path)) demo --dir \(TmuxSession.quote(dir))",
                                   env: noIdentity.merging(["TERM": "tmux-256color"]) { _, new in new }, unset: ["NO_COLOR"])
        // The proposals and the snapshot come in either order.
        let first = tmux.waitFor { $0.contains("proposals 2") && $0.contains("✗ OutOfSync 6") }
        #expect(first.ok, "\(first.screen)")
        #expect(first.screen.contains("auto-sync off"), "\(first.screen)")
        tmux.press("q")
        let after = tmux.waitForExit()
        #expect(after.screen.contains("EXIT=0"), "\(after.screen)")
        #expect(after.screen.contains("The demo stays in \(dir)"), "\(after.screen)")
    }
}
