import Foundation
import Testing
import TestSupport

/// `plumb status` beside a running agent, with the real binaries: the agent answers from the view
/// it holds, exactly as `status` observing by itself would, and a change made just before the
/// question is in the answer (the cookie). Where the agent cannot answer, status observes.
@Suite struct StatusFromTheAgentTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        for name in ["motd", "issue", "hosts"] {
            try fx.source.write("resources/\(name).yaml", "kind: File\nname: \(name)\nspec:\n  path: etc/\(name)\n  content: \"\(name) v1\\n\"\n  mode: \"0644\"\n")
        }
        try fx.source.commit("three files")
        #expect(try fx.plumb("sync").status == 0)
    }

    /// An agent that never heals by itself (no auto-sync) and passes hourly: only its watch and
    /// the cookie can keep its view true.
    func startAgent() throws -> Process {
        let agent = try fx.spawn(["agent", "--interval", "1h"])
        #expect(eventually { (try? status().byAgent) == true }, "the agent answers once it has made its first pass")
        return agent
    }

    func stop(_ agent: Process) {
        agent.terminate()
        agent.waitUntilExit()
    }

    /// `plumb status` with these arguments, and whether the running agent answered it.
    func status(_ arguments: String...) throws -> (result: ProcessResult, byAgent: Bool) {
        try ask(["status"] + arguments)
    }

    func ask(_ arguments: [String]) throws -> (result: ProcessResult, byAgent: Bool) {
        let result = try fx.plumb(arguments: arguments, env: ["PLUMB_LOG": "debug"])
        return (result, result.stderr.contains("the running agent answered"))
    }

    @Test func anEditMadeJustBeforeTheQuestionIsInTheAgentsAnswer() throws {
        let agent = try startAgent()
        defer { stop(agent) }
        #expect(try status().result.status == 0)
        for edit in 1...5 {
            try fx.target.write("etc/motd", "hand edit \(edit)\n")
            let asked = try status("--no-fetch")
            #expect(asked.byAgent, "\(asked.result.stderr)")
            #expect(asked.result.status == 2, "edit \(edit) is seen at once: \(asked.result.stdout)")
            #expect(asked.result.stdout.contains("modified"))
            try fx.target.write("etc/motd", "motd v1\n")
            let back = try status("--no-fetch")
            #expect(back.byAgent && back.result.status == 0, "edit \(edit) undone is seen at once: \(back.result.stdout)")
        }
        try FileManager.default.removeItem(atPath: fx.target.file("etc/issue"))
        let removed = try status("--no-fetch")
        #expect(removed.byAgent && removed.result.stdout.contains("missing"))
    }

    @Test func theAgentsAnswerIsWhatStatusObservingByItselfPrints() throws {
        try fx.target.write("etc/hosts", "edited\n")
        chmod(fx.target.file("etc/issue"), 0o600)
        let agent = try startAgent()
        let fromAgent = try status("--json")
        let fromAgentText = try status("--all")
        stop(agent)
        let alone = try status("--json")
        let aloneText = try status("--all")
        #expect(fromAgent.byAgent && fromAgentText.byAgent)
        #expect(!alone.byAgent && !aloneText.byAgent, "with the agent stopped, status observes by itself")
        #expect(fromAgent.result.stdout == alone.result.stdout)
        #expect(fromAgentText.result.stdout == aloneText.result.stdout)
        #expect(fromAgent.result.status == 2 && alone.result.status == 2)
    }

    @Test func diffIsAnsweredByTheAgentAsItWouldBeHere() throws {
        let agent = try startAgent()
        try fx.target.write("etc/motd", "hand edit\n")
        let fromAgent = try ask(["diff"])
        let one = try ask(["diff", "File/issue"])
        let unknown = try ask(["diff", "File/nothing"])
        stop(agent)
        let alone = try ask(["diff"])
        #expect(fromAgent.byAgent && one.byAgent && unknown.byAgent && !alone.byAgent)
        #expect(fromAgent.result.status == 2 && fromAgent.result.stdout.contains("-hand edit") && fromAgent.result.stdout.contains("+motd v1"))
        #expect(fromAgent.result.stdout == alone.result.stdout)
        #expect(one.result.status == 0 && one.result.stdout.isEmpty, "a Synced file asked for by name has nothing to show")
        #expect(unknown.result.status == 1 && unknown.result.stderr.contains("plumb: no resource File/nothing in revision"))
    }

    @Test func anEditThatKeepsSizeAndMtimeIsSeenThroughTheAgent() throws {
        let agent = try startAgent()
        defer { stop(agent) }
        // Same size, and the very same mtime put back: only the ctime tells.
        try fx.target.writeKeepingTimes("etc/motd", "MOTD v1\n")
        let asked = try status("--no-fetch", "--json")
        #expect(asked.byAgent)
        #expect(asked.result.stdout.contains("\"message\" : \"content differs\""), "\(asked.result.stdout)")
        // A change of the ctime alone (the same mode set again) changes nothing that status shows.
        try fx.target.write("etc/motd", "motd v1\n")
        chmod(fx.target.file("etc/motd"), 0o644)
        let again = try status("--no-fetch")
        #expect(again.byAgent && again.result.status == 0, "\(again.result.stdout)")
    }

    @Test func aNewRevisionIsInTheAnswerWhetherTheAgentOrAnotherCommandFetchedIt() throws {
        let agent = try startAgent()
        defer { stop(agent) }
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"motd v2\\n\"\n")
        try fx.source.commit("motd v2")
        let fetched = try status()
        #expect(fetched.byAgent)
        #expect(fetched.result.stdout.contains("pending"), "status fetches first, through the agent: \(fetched.result.stdout)")
        try fx.source.write("resources/issue.yaml", "kind: File\nname: issue\nspec:\n  path: etc/issue\n  content: \"issue v2\\n\"\n")
        let head = try fx.source.commit("issue v2")
        #expect(try fx.plumb("history", "-n", "1").status == 0, "history fetches into the mirror beside the agent")
        let after = try status("--no-fetch")
        #expect(after.byAgent)
        #expect(after.result.stdout.contains("revision  \(head.prefix(12))"), "the head another command fetched: \(after.result.stdout)")
    }

    @Test func theConsoleHoldingTheStateDirAnswersAsTheAgentDoes() throws {
        let env = fx.environment.merging(["TERM": "tmux-256color", "HOME": fx.state.path]) { _, new in new }
        let tmux = try TmuxSession(command: "\(TmuxSession.quote(PlumbBinary.path)) ui", env: env)
        #expect(tmux.waitFor("File/motd").ok, "\(tmux.screen())")
        #expect(eventually { (try? status().byAgent) == true }, "the console answers once its first pass is made")
        try fx.target.write("etc/motd", "edited while the console is open\n")
        let asked = try status("--no-fetch")
        #expect(asked.byAgent && asked.result.status == 2 && asked.result.stdout.contains("modified"), "\(asked.result.stdout)")
        tmux.press("q")
        #expect(tmux.waitForExit().ok)
        #expect(!FileManager.default.fileExists(atPath: fx.state.path + "/state/agent.sock"), "the console removes its socket as it quits")
    }

    @Test func whatTheAgentDoesNotFollowIsObservedHere() throws {
        let agent = try startAgent()
        defer { stop(agent) }
        let otherHost = try status("--host", "web2")
        #expect(!otherHost.byAgent)
        #expect(otherHost.result.stderr.contains("the agent follows another source, target or host"))
        #expect(otherHost.result.stdout.contains("host      web2"))
    }

    @Test func anAgentKilledLeavesASocketThatStatusGoesPast() throws {
        let agent = try startAgent()
        kill(agent.processIdentifier, SIGKILL)
        agent.waitUntilExit()
        #expect(FileManager.default.fileExists(atPath: fx.state.path + "/state/agent.sock"), "kill -9 leaves the socket behind")
        let alone = try status()
        #expect(!alone.byAgent && alone.result.status == 0, "\(alone.result.stderr)")
        #expect(alone.result.stderr.contains("no agent answered"))
        // The next agent takes the place over.
        let next = try startAgent()
        stop(next)
        #expect(!FileManager.default.fileExists(atPath: fx.state.path + "/state/agent.sock"), "an agent that stops removes its socket")
    }

    @Test func hostileAskersDoNotStopTheAgentAnswering() throws {
        let agent = try startAgent()
        defer { stop(agent) }
        let socket = fx.state.path + "/state/agent.sock"
        // Garbage, a length of an exabyte, a request cut short, and one that says nothing and stays.
        let script = """
            import socket, struct, sys, time
            def ask(data):
                s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); s.sendall(data); return s
            ask(struct.pack('<q', 12) + b'not json at all').recv(100)
            ask(struct.pack('<q', 1 << 60)).close()
            ask(struct.pack('<q', 500) + b'{"all"').close()
            ask(struct.pack('<q', -1)).close()
            idle = ask(b'')
            print('sent', flush=True)
            time.sleep(3)
            """
        let asker = Process()
        asker.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        asker.arguments = ["-c", script, socket]
        let out = Pipe()
        asker.standardOutput = out
        try asker.run()
        _ = out.fileHandleForReading.availableData
        let asked = try status("--no-fetch")
        #expect(asked.byAgent && asked.result.status == 0, "the agent answers while a connection hangs: \(asked.result.stderr)")
        asker.waitUntilExit()
        #expect(agent.isRunning)
        // The socket is the agent's user's alone.
        var info = stat()
        #expect(lstat(socket, &info) == 0 && info.st_mode & 0o777 == 0o600)
    }
}
