import Foundation
import Testing
import TestSupport

/// `alerts:` in `plumb.yaml`, delivered by the real agent to a real command and to a real HTTP
/// server on loopback (python3's http.server): every matching event once, across restarts.
@Suite struct AlertsTests {
    let fx: PlumbFixture
    let inbox: Scratch
    /// A File whose `validate` always refuses: each sync journals ValidationFailed and SyncFailed.
    static let refused = "kind: File\nname: app\nspec:\n  path: etc/app.conf\n  content: \"x\\n\"\n  validate: [\"/bin/sh\", \"-c\", \"exit 4\", \"{}\"]\n"

    init() throws {
        fx = try PlumbFixture()
        inbox = try Scratch()
        try fx.source.write("resources/app.yaml", Self.refused)
    }

    /// `plumb.yaml` with these routes, and auto-sync on, committed.
    func settings(_ alerts: String) throws {
        try fx.source.write("plumb.yaml", "autoSync: true\nalerts:\n" + alerts)
        try fx.source.commit("alerts")
    }

    /// A command route that appends what it gets on stdin to `inbox/<name>`.
    func collector(_ name: String) -> String {
        "[\"/bin/sh\", \"-c\", \"cat >> \(inbox.file(name))\"]"
    }

    func lines(_ name: String) -> [String] {
        (inbox.read(name) ?? "").split(separator: "\n").map(String.init)
    }

    /// The journal's lines (as `events --json` prints them) of these reasons.
    func journalled(_ reasons: Set<String>) throws -> [String] {
        try fx.plumb("events", "--json", "-n", "10000").stdout.split(separator: "\n").map(String.init).filter { line in
            let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            return reasons.contains(event?["reason"] as? String ?? "")
        }
    }

    @Test func aCommandGetsEachMatchingEventOnceAsJSONOnStdin() throws {
        try settings("  - minLevel: error\n    reasons: [SyncFailed, ValidationFailed]\n    command: \(collector("page"))\n")
        let first = try fx.plumb("agent", "--once")
        #expect(first.status == 1, "the sync fails: \(first.stderr)")
        let got = lines("page")
        #expect(got.count >= 2, "\(got)")
        let event = try #require(try JSONSerialization.jsonObject(with: Data(got[0].utf8)) as? [String: Any])
        #expect(Set(event.keys) == ["time", "level", "reason", "resource", "revision", "message"], "the event JSON of events --json: \(event)")
        #expect(got == (try journalled(["SyncFailed", "ValidationFailed"])), "every matching event, once, in journal order, as events --json prints it")

        _ = try fx.plumb("agent", "--once")
        let again = lines("page")
        #expect(again.count > got.count, "the second pass failed again, and said so")
        let journal = try journalled(["SyncFailed", "ValidationFailed"])
        #expect(Array(again.prefix(got.count)) == got && again == journal, "nothing lost, nothing repeated")
    }

    /// A webhook that refuses: retried with backoff, `AlertFailed` once (to the other route, not
    /// to itself); after a restart with the server back, each event arrives once.
    @Test func aFailingWebhookIsRetriedAndAfterARestartNothingIsLostOrRepeated() throws {
        let server = try LoopbackServer(in: inbox)
        defer { server.stop() }
        server.refuse(true)
        try settings("""
              - minLevel: error
                reasons: [SyncFailed]
                webhook: http://user:secret-token@127.0.0.1:\(server.port)/hooks/secret-path
                timeout: 2s
              - minLevel: error
                reasons: [AlertFailed]
                command: \(collector("failures"))

            """)
        let start = Date()
        _ = try fx.plumb("agent", "--once")
        #expect(Date().timeIntervalSince(start) < 30, "--once gives up after a few attempts")
        #expect(server.bodies.isEmpty && server.refusedCount >= 3, "tried, and tried again: \(server.refusedCount)")
        let failures = try fx.messages(of: "AlertFailed")
        #expect(failures.count == 1, "once for the event that keeps failing: \(failures)")
        #expect(failures.first?.contains("webhook http://127.0.0.1:\(server.port)/… did not take event") == true, "\(failures)")
        #expect(failures.allSatisfy { !$0.contains("secret") }, "the webhook's token is never said")
        #expect(lines("failures").count == 1, "the other route carried the AlertFailed")

        server.refuse(false)
        _ = try fx.plumb("agent", "--once")
        let failed = try journalled(["SyncFailed"])
        #expect(failed.count >= 2)
        #expect(server.bodies == failed, "after the restart: every SyncFailed once, the first one included, in order")
        #expect(!server.bodies.contains { $0.contains("AlertFailed") }, "a route's own failure is not sent to it")
        #expect(server.contentTypes.allSatisfy { $0 == "application/json" })
    }

    /// A route whose webhook is down waits alone: the agent's other routes go on delivering the
    /// events journalled after it got stuck.
    @Test func aRouteThatIsDownNeverHoldsUpTheOthers() throws {
        let server = try LoopbackServer(in: inbox)
        defer { server.stop() }
        server.refuse(true)
        try settings("""
              - minLevel: error
                reasons: [SyncFailed]
                webhook: http://127.0.0.1:\(server.port)/hook
              - minLevel: error
                reasons: [SyncFailed]
                command: \(collector("page"))

            """)
        let agent = try fx.spawn(["agent", "--interval", "1s"])
        defer { agent.terminate(); agent.waitUntilExit() }
        // Generous: with the whole suite running on two cores, the agent's passes were seen to
        // take over 30 s to come round.
        #expect(eventually(90) { (try? fx.messages(of: "AlertFailed").count) ?? 0 >= 1 }, "the webhook keeps failing")
        let stuckAt = lines("page").count
        #expect(eventually(90) { lines("page").count > stuckAt }, "SyncFailed journalled after the webhook got stuck still reaches the command")
        #expect(server.bodies.isEmpty)
    }

    /// A delivery that hangs never holds a pass up: the agent heals while it waits.
    @Test func aHangingAlertNeverBlocksHealing() throws {
        try fx.source.write("resources/app.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome"))
        try settings("  - minLevel: info\n    command: [\"/bin/sh\", \"-c\", \"sleep 60\"]\n    timeout: 50s\n")
        let agent = try fx.spawn(["agent", "--interval", "1s"])
        defer { agent.terminate(); agent.waitUntilExit() }
        #expect(eventually(20) { fx.target.read("etc/motd") == "welcome\n" })
        try fx.target.write("etc/motd", "edited by hand\n")
        #expect(eventually(8) { fx.target.read("etc/motd") == "welcome\n" }, "healed while an alert hangs")
    }
}

/// python3's http.server on 127.0.0.1, on a port of its own: it keeps each POST body, and
/// answers 500 while told to refuse.
final class LoopbackServer: @unchecked Sendable {
    let process: Process
    let folder: Scratch
    let port: Int

    init(in scratch: Scratch) throws {
        folder = scratch
        try folder.write("server.py", """
            import http.server, os, sys
            folder = sys.argv[1]
            class Hook(http.server.BaseHTTPRequestHandler):
                def do_POST(self):
                    body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                    if os.path.exists(os.path.join(folder, "refuse")):
                        with open(os.path.join(folder, "refused"), "a") as f: f.write("x\\n")
                        self.send_response(500); self.end_headers(); return
                    with open(os.path.join(folder, "bodies"), "ab") as f: f.write(body)
                    with open(os.path.join(folder, "types"), "a") as f: f.write(self.headers.get("Content-Type", "") + "\\n")
                    self.send_response(204); self.end_headers()
                def log_message(self, *args): pass
            server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
            with open(os.path.join(folder, "port.tmp"), "w") as f: f.write(str(server.server_port))
            os.rename(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
            server.serve_forever()
            """)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = [folder.file("server.py"), folder.path]
        try process.run()
        guard eventually(10, { scratch.read("port") != nil }), let port = Int(scratch.read("port") ?? "") else {
            kill(process.processIdentifier, SIGKILL)
            throw SetupError("the loopback HTTP server did not start")
        }
        self.port = port
    }

    func refuse(_ on: Bool) {
        if on { try? folder.write("refuse", "") } else { try? FileManager.default.removeItem(atPath: folder.file("refuse")) }
    }

    var bodies: [String] { (folder.read("bodies") ?? "").split(separator: "\n").map(String.init) }
    var contentTypes: [String] { (folder.read("types") ?? "").split(separator: "\n").map(String.init) }
    var refusedCount: Int { (folder.read("refused") ?? "").split(separator: "\n").count }

    /// SIGKILL: python3 keeps the signal mask it was started with, in which the test runner
    /// blocks SIGTERM.
    func stop() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
