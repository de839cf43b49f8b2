import Foundation
import Testing
import TestSupport

/// `plumb agent` with the real binary: one pass, the lock, self-healing, drift journalled once,
/// and a clean end on SIGTERM.
@Suite struct AgentTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"welcome\\n\"\n  mode: \"0644\"\n")
        try fx.source.commit("motd")
    }

    func start(_ arguments: String...) throws -> Process { try fx.spawn(["agent"] + arguments) }

    func reasons() throws -> [String] {
        try fx.journal().compactMap { $0["reason"] as? String }
    }

    @Test func oncePassesAndSaysWhetherTheTargetIsInSync() throws {
        let drifted = try fx.plumb("agent", "--once")
        #expect(drifted.status == 1, "without auto-sync the drift stays")
        #expect(!fx.target.exists("etc/motd"))
        #expect(try reasons().contains("DriftDetected"))
        let healed = try fx.plumb("agent", "--once", "--auto-sync")
        #expect(healed.status == 0, "\(healed.stderr)")
        #expect(fx.target.read("etc/motd") == "welcome\n")
        #expect(try reasons().filter { $0 == "DriftDetected" }.count == 1, "journalled once, not once per pass")
        #expect(try reasons().suffix(2) == ["DriftResolved", "HealthChanged"], "back in sync, and Missing → Healthy")
    }

    @Test func aNewRevisionIsPendingNotDrift() throws {
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome back"))
        try fx.source.write("resources/issue.yaml", SourceChangeTests.file("issue", "etc/issue", "hello"))
        try fx.source.commit("new motd, new issue")
        #expect(try fx.plumb("agent", "--once").status == 1, "out of sync until applied")
        let motd = try #require(try fx.resource("File/motd"))
        #expect(motd["drift"] as? String == "pending", "\(motd)")
        #expect((motd["message"] as? String)?.hasPrefix("changed in git since ") == true, "\(motd)")
        #expect(try fx.resource("File/issue")?["drift"] as? String == "pending", "new in the revision: pending, not missing")
        #expect(try fx.messages(of: "DriftDetected").isEmpty, "a push is NewRevision, never drift")
        #expect(try fx.plumb("sync", "--dry-run").stdout.contains("update  File/motd"))

        // A hand edit on top is drift again.
        try fx.target.write("etc/motd", "edited\n")
        #expect(try fx.plumb("agent", "--once").status == 1)
        #expect(try fx.resource("File/motd")?["drift"] as? String == "modified")
        #expect(try fx.messages(of: "DriftDetected") == ["modified: content differs"])
        #expect(try fx.plumb("sync").status == 0)
        #expect(fx.target.read("etc/motd") == "welcome back\n")
    }

    @Test func healthIsJournalledOncePerChangeAndNotForWhatIsNoLongerDeclared() throws {
        #expect(try fx.plumb("agent", "--once").status == 1)
        #expect(try fx.plumb("agent", "--once").status == 1)
        #expect(try fx.messages(of: "HealthChanged") == ["Healthy → Missing: declared, absent from the target"], "once, not once per pass")
        let level = try fx.journal().first { $0["reason"] as? String == "HealthChanged" }?["level"] as? String
        #expect(level == "error", "Missing is worse")
        try fx.source.remove("resources/motd.yaml")
        try fx.source.write("resources/other.yaml", SourceChangeTests.file("other", "etc/other", "o"))
        try fx.source.commit("retire motd")
        #expect(try fx.plumb("agent", "--once", "--auto-sync").status == 0)
        let motd = try fx.journal().filter { $0["reason"] as? String == "HealthChanged" && $0["resource"] as? String == "File/motd" }
        #expect(motd.count == 1, "a resource no longer declared did not get better: \(motd)")
        let other = try fx.journal().filter { $0["reason"] as? String == "HealthChanged" && $0["resource"] as? String == "File/other" }
        #expect(other.compactMap { $0["message"] as? String } == ["Healthy → Missing: declared, absent from the target", "Missing → Healthy"])
    }

    @Test func anAgentHealsAHandEditAndStopsCleanlyOnSIGTERM() throws {
        let agent = try start("--interval", "200ms", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        try fx.target.write("etc/motd", "hand edit\n")
        chmod(fx.target.file("etc/motd"), 0o600)
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" && fx.target.mode("etc/motd") == 0o644 })
        agent.terminate()
        agent.waitUntilExit()
        #expect(agent.terminationStatus == 0)
        #expect(agent.terminationReason == .exit)
    }

    @Test func aHandEditIsHealedAtOnceNotAtTheNextInterval() throws {
        // An hour between passes: only the watch on the target can bring the fix in time.
        let agent = try start("--interval", "1h", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        for edit in 1...3 {
            try fx.target.write("etc/motd", "hand edit \(edit)\n")
            #expect(eventually(10) { fx.target.read("etc/motd") == "welcome\n" }, "edit \(edit) healed")
        }
        try FileManager.default.removeItem(atPath: fx.target.file("etc"))
        #expect(eventually(10) { fx.target.read("etc/motd") == "welcome\n" }, "a removed folder is made again, and watched again")
        try fx.target.write("etc/motd", "edited once more\n")
        #expect(eventually(10) { fx.target.read("etc/motd") == "welcome\n" })
        agent.terminate()
        agent.waitUntilExit()
        #expect(agent.terminationStatus == 0, "SIGTERM ends the wait at once")
    }

    @Test func aFailingProposalIsJournalledOncePerHeadWithoutAnyoneAsking() throws {
        try fx.source.write("policy.yaml", SourceChangeTests.policy)
        try fx.source.commit("policy")
        try fx.source.propose("open-motd", ["resources/motd.yaml": SourceChangeTests.file("motd", "etc/motd", "welcome", mode: "0666")])
        #expect(try fx.plumb("agent", "--once").status == 1, "the motd is not synced yet")
        #expect(try fx.plumb("agent", "--once").status == 1)
        let violations = try reasons().filter { $0 == "PolicyViolation" }
        #expect(violations.count == 1, "journalled once for this head, not on every pass")
        try fx.source.propose("open-motd", from: "proposal/open-motd", ["files/x": "moved\n"])
        #expect(try fx.plumb("agent", "--once").status == 1)
        #expect(try reasons().filter { $0 == "PolicyViolation" }.count == 2, "a new head is judged again")
    }

    @Test func aSecondAgentOnOneStateDirIsRefusedAndTheLockDiesWithItsHolder() throws {
        let log = fx.state.file("first-agent.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let first = try fx.spawn(["agent", "--interval", "1s"], stderr: try #require(FileHandle(forWritingAtPath: log)))
        defer { if first.isRunning { first.terminate() } }
        // Once it has journalled its first pass, it holds the lock.
        #expect(eventually { (try? reasons().contains("DriftDetected")) == true },
                "running: \(first.isRunning); its log: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let second = try fx.plumb("agent", "--once")
        #expect(second.status == 1)
        #expect(second.stderr.contains("is reconciling this state dir"))
        #expect(second.stderr.contains("pid \(first.processIdentifier)"))
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let after = try fx.plumb("agent", "--once", "--auto-sync")
        #expect(after.status == 0, "the kernel released the lock with the killed agent: \(after.stderr)")
    }

    @Test func aNewRevisionIsFollowed() throws {
        let agent = try start("--interval", "200ms", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"second edition\\n\"\n")
        try fx.source.commit("second edition")
        #expect(eventually { fx.target.read("etc/motd") == "second edition\n" })
    }

    @Test func driftASyncCannotMendDoesNotStartASyncOnEveryPass() throws {
        try fx.source.write("files/site/index.html", "home\n")
        try fx.source.write("resources/site.yaml", "kind: Directory\nname: site\nspec:\n  path: srv/site\n  source: files/site\n  prune: true\n")
        try fx.source.commit("site")
        try fx.target.write("srv/site/stranger.txt", "not plumb's\n")
        let agent = try start("--interval", "100ms", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        Thread.sleep(forTimeInterval: 2)
        let syncs = try reasons().filter { $0 == "SyncStarted" }.count
        #expect(syncs <= 2, "a stranger plumb may not prune is reported once, not synced every 100 ms (\(syncs) syncs)")
        let strangerDrift = try fx.plumb("events", "--json", "--resource", "File/site/stranger.txt").stdout
        #expect(strangerDrift.components(separatedBy: "DriftDetected").count - 1 == 1, "its drift journalled once")
        #expect(fx.target.read("srv/site/stranger.txt") == "not plumb's\n")
    }

    @Test func aRewrittenHistoryIsRefusedThenAcceptedByAnOperator() throws {
        let agent = try start("--interval", "200ms", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        // Force-push a rewritten history that says something else.
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"rewritten\\n\"\n")
        try git(["add", "--all"], cwd: fx.source.work)
        try git(["commit", "--quiet", "--amend", "-m", "rewritten"], cwd: fx.source.work)
        try git(["push", "--quiet", "--force", "origin", "HEAD:refs/heads/main"], cwd: fx.source.work)
        #expect(eventually { (try? reasons().contains("HistoryRewritten")) == true })
        // The agent keeps the target at the applied revision, and still heals it.
        try fx.target.write("etc/motd", "hand edit\n")
        #expect(eventually(10) { fx.target.read("etc/motd") == "welcome\n" })
        Thread.sleep(forTimeInterval: 1)
        #expect(fx.target.read("etc/motd") == "welcome\n")
        #expect(try reasons().filter { $0 == "HistoryRewritten" }.count == 1, "said once, not on every pass")
        // An operator accepts it, the agent still running: the sync is handed to the agent.
        let accepted = try fx.plumb("sync", "--accept-rewrite")
        #expect(accepted.status == 0, "\(accepted.stderr)")
        #expect(accepted.stderr.contains("the sync is handed to it"))
        #expect(fx.target.read("etc/motd") == "rewritten\n")
        // And from then on the agent follows the new history.
        try fx.target.write("etc/motd", "hand edit\n")
        #expect(eventually(10) { fx.target.read("etc/motd") == "rewritten\n" })
        #expect(agent.isRunning)
    }

    @Test func aSyncBesideARunningAgentIsHandedToItAndSaysSo() throws {
        let agent = try start("--interval", "1h")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { (try? reasons().contains("DriftDetected")) == true })
        let sync = try fx.plumb("sync", "--json")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("another plumb (pid \(agent.processIdentifier)) is reconciling this state dir; the sync is handed to it"))
        #expect(sync.stdout.contains("\"result\" : \"done\""), "the agent's answer is printed as a sync of its own would be: \(sync.stdout)")
        #expect(fx.target.read("etc/motd") == "welcome\n")
        #expect(agent.isRunning, "the agent keeps running")
        // A refusal comes back as one sentence and exit 1.
        let unknown = try fx.plumb("sync", "File/nothing")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no resource File/nothing"))
    }

    @Test func aSyncHandedToAnAgentThatDiesIsRunByTheSyncItself() throws {
        let agent = try start("--interval", "1h")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { (try? reasons().contains("DriftDetected")) == true })
        // Frozen, the agent cannot take the request; then it dies with the request still pending.
        kill(agent.processIdentifier, SIGSTOP)
        let sync = try fx.spawn(["sync"])
        usleep(500_000)
        #expect(sync.isRunning, "the sync waits for the agent's answer")
        kill(agent.processIdentifier, SIGKILL)
        sync.waitUntilExit()
        #expect(sync.terminationStatus == 0)
        #expect(fx.target.read("etc/motd") == "welcome\n")
    }

    @Test func aSyncBesideAnotherSyncWaitsForItAndSaysSo() throws {
        // Another process holds the state dir's lock for a second (flock(1) on the same file).
        _ = try fx.plumb("status")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [fx.state.path + "/state/lock", "sleep", "1"]
        try holder.run()
        defer { holder.waitUntilExit() }
        usleep(200_000)
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(sync.stderr.contains("waiting for it to finish"))
        #expect(fx.target.read("etc/motd") == "welcome\n")
    }

    @Test func aSourceThatGoesAwayIsRetriedAndItsReturnFollowed() throws {
        let agent = try start("--interval", "300ms", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { fx.target.read("etc/motd") == "welcome\n" })
        let away = fx.source.bare + ".away"
        try FileManager.default.moveItem(atPath: fx.source.bare, toPath: away)
        #expect(eventually { (try? reasons().contains("FetchFailed")) == true })
        // status says what the agent is waiting for.
        #expect(eventually { (try? fx.plumb("status", "--no-fetch"))?.stdout.contains("agent     last pass failed: fetching") == true })
        #expect(try fx.plumb("status", "--no-fetch").stdout.contains("; next attempt at 20"))
        // Still healing the target from what it fetched last.
        try fx.target.write("etc/motd", "hand edit\n")
        #expect(eventually(10) { fx.target.read("etc/motd") == "welcome\n" })
        #expect(agent.isRunning)
        #expect(try fx.plumb("status", "--no-fetch").stdout.contains("agent     last pass failed: fetching"),
                "a pass that healed the target without fetching leaves the source's failure on record")
        try FileManager.default.moveItem(atPath: away, toPath: fx.source.bare)
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"back\\n\"\n")
        try fx.source.commit("back")
        #expect(eventually(20) { fx.target.read("etc/motd") == "back\n" }, "the next retry fetches again")
        #expect(eventually { (try? fx.plumb("status", "--no-fetch"))?.stdout.contains("last pass failed") == false })
        #expect(try reasons().filter { $0 == "FetchFailed" }.count == 1, "the same failure is journalled once")
        let failed = try fx.plumb("events", "-n", "50").stdout.split(separator: "\n").first { $0.contains("FetchFailed") } ?? ""
        #expect(failed.contains("; next attempt at 20"), "the event says when the agent tries again: \(failed)")
    }

    @Test func aResourceThatCannotBeAppliedDoesNotStopTheOthersAndIsRetried() throws {
        try fx.source.write("resources/blocked.yaml", "kind: File\nname: blocked\nspec:\n  path: blocked/file\n  content: \"x\\n\"\n")
        try fx.source.commit("a file whose folder is a file on the target")
        try fx.target.write("blocked", "a file, not a folder\n")
        let agent = try start("--interval", "1h", "--auto-sync")
        defer { if agent.isRunning { agent.terminate() } }
        #expect(eventually { (try? reasons().contains("SyncFailed")) == true })
        #expect(fx.target.read("etc/motd") == "welcome\n", "the other resource is applied")
        let failed = try fx.plumb("events", "-n", "50").stdout.split(separator: "\n").first { $0.contains("not fully applied") } ?? ""
        #expect(failed.contains("; next attempt at 20"), "the sync's event says when the agent tries again: \(failed)")
        #expect(eventually { (try? reasons().filter { $0 == "SyncStarted" }.count) ?? 0 >= 2 }, "tried again after the backoff, not only at the hour's interval")
    }

    @Test func aBadIntervalIsOneSentence() throws {
        let result = try fx.plumb("agent", "--interval", "soon")
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad --interval soon"))
    }
}
