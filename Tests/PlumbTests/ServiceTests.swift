import Foundation
import Testing
import TestSupport

/// Service resources against a real systemd booted in its own namespaces (`SystemdMachine`),
/// with the real binary run inside it: units start, restart, reload and heal for real, health
/// comes from the unit and a real HTTP probe. Skipped, with the reason, where systemd cannot boot.
@Suite(.serialized, .enabled(if: SystemdMachine.unavailable == nil, Comment(rawValue: SystemdMachine.unavailable ?? "")))
struct ServiceTests {
    let machine: SystemdMachine
    let fx: PlumbFixture
    let port = 18080

    init() throws {
        machine = try SystemdMachine()
        fx = try PlumbFixture(in: SystemdMachine.sharedFolder)
        try fx.target.write("www/index.html", "hello\n")
        // A real small server; HUP is its reload (it notes each one), so a reload keeps its pid.
        try machine.install(unit: "web.service", """
            [Service]
            ExecStart=/bin/sh -c 'trap "echo reloaded >> \(fx.target.path)/reloads" HUP; python3 -m http.server \(port) --bind 127.0.0.1 --directory \(fx.target.path)/www & child=$!; while kill -0 $child 2>/dev/null; do wait $child; done'
            ExecReload=/bin/kill -HUP $MAINPID
            """)
    }

    func plumb(_ arguments: String...) throws -> ProcessResult {
        try machine.run(machine.plumbBinary, arguments, env: fx.environment)
    }

    /// The config File (validated), the Service restarted on its change, with `health` when given.
    func declare(config: String, health: String? = nil, extra: String = "") throws {
        try fx.source.write("resources/web.yaml", """
            kind: File
            name: web-conf
            spec:
              path: etc/web.conf
              content: "\(config)"
              validate: ["grep", "-q", "^listen ", "{}"]
            ---
            kind: Service
            name: web
            spec:
              unit: web.service
              restartOn: [File/web-conf]
            \(health.map { "  health: " + $0 } ?? "")
            \(extra)
            """)
        try fx.source.commit(config)
    }

    func state() throws -> String { try machine.property("ActiveState", of: "web.service") }
    func pid() throws -> String { try machine.property("MainPID", of: "web.service") }

    @Test func aStoppedUnitIsStartedAndHealedWhenStoppedByHand() throws {
        try declare(config: "listen 80\\n")
        #expect(try state() == "inactive")
        let status = try plumb("status")
        #expect(status.stdout.contains("Service/web") && status.stdout.contains("inactive (dead), declared running"), "\(status.stdout)")
        let sync = try plumb("sync")
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(try state() == "active")
        #expect(try fx.messages(of: "ServiceStarted").contains("started web.service"))
        #expect(try fx.messages(of: "ServiceRestarted").isEmpty, "a unit this sync started needs no restart for its new config")
        let detail = try plumb("diff", "Service/web")
        #expect(detail.status == 0, "Synced: \(detail.stderr)")
        #expect(detail.stdout.contains("unit web.service: active (running), pid "), "\(detail.stdout)")
        #expect(detail.stdout.contains("restarted when File/web-conf change"))
        #expect(detail.stdout.contains("ServiceStarted  started web.service"), "its recent actions: \(detail.stdout)")
        if try machine.property("ActiveState", of: "systemd-journald.service") == "active" {
            #expect(detail.stdout.contains("journalctl -u web.service:"), "the unit's own log: \(detail.stdout)")
        }

        try machine.run("systemctl", ["stop", "web.service"])
        #expect(try state() == "inactive")
        let healed = try plumb("agent", "--once", "--auto-sync")
        #expect(healed.status == 0, "\(healed.stdout)\(healed.stderr)")
        #expect(try state() == "active", "the agent starts it again")
        #expect(try fx.messages(of: "DriftDetected").contains { $0.contains("inactive (dead), declared running") })
    }

    @Test func aConfigChangeRestartsTheUnitAndARefusedOneLeavesItAlone() throws {
        try declare(config: "listen 80\\n")
        #expect(try plumb("sync").status == 0)
        let first = try pid()

        try declare(config: "listen 81\\n")
        let plan = try plumb("sync", "--dry-run")
        #expect(plan.stdout.contains("update File/web-conf → restart Service/web"), "\(plan.stdout)")
        #expect(try plumb("sync").status == 0)
        let second = try pid()
        #expect(second != first, "a restart is a new process")
        #expect(try fx.messages(of: "ServiceRestarted") == ["restarted web.service: File/web-conf changed"])

        try declare(config: "lisen 82\\n")
        let refused = try plumb("sync")
        #expect(refused.status == 1)
        #expect(fx.target.read("etc/web.conf") == "listen 81\n", "the live file stays")
        #expect(try pid() == second, "the running process is left alone")
        #expect(refused.stdout.contains("not restarted: File/web-conf failed in this sync"), "\(refused.stdout)")
        #expect(try fx.messages(of: "ServiceRestarted").count == 1)
    }

    @Test func reloadOnKeepsTheProcess() throws {
        func declare(listen: Int) throws {
            try fx.source.write("resources/web.yaml", """
                kind: File
                name: web-conf
                spec: {path: etc/web.conf, content: "listen \(listen)\\n"}
                ---
                kind: Service
                name: web
                spec: {unit: web.service, reloadOn: [File/web-conf]}
                """)
            try fx.source.commit("listen \(listen)")
        }
        try declare(listen: 80)
        #expect(try plumb("sync").status == 0)
        let first = try pid()
        try declare(listen: 81)
        #expect(try plumb("sync").status == 0)
        #expect(try pid() == first, "a reload keeps the process")
        #expect(eventually { fx.target.read("reloads") == "reloaded\n" })
        #expect(try fx.messages(of: "ServiceReloaded") == ["reloaded web.service: File/web-conf changed"])
    }

    @Test func aUnitThatCannotReloadIsRestarted() throws {
        try machine.install(unit: "plain.service", "[Service]\nExecStart=/bin/sleep infinity\n")
        for listen in [80, 81] {
            try fx.source.write("resources/plain.yaml", """
                kind: File
                name: conf
                spec: {path: etc/plain.conf, content: "listen \(listen)\\n"}
                ---
                kind: Service
                name: plain
                spec: {unit: plain.service, reloadOn: [File/conf]}
                """)
            try fx.source.commit("listen \(listen)")
            #expect(try plumb("sync").status == 0)
        }
        #expect(try fx.messages(of: "ServiceRestarted") == ["restarted plain.service (it cannot reload): File/conf changed"])
    }

    @Test func healthFollowsTheUnitAndTheProbe() throws {
        func web() -> [String: Any]? { (try? plumb("status", "--json")).flatMap { PlumbFixture.resource("Service/web", in: $0.stdout) } }
        // A path the server does not have answers 404: failing, within its start period.
        try declare(config: "listen 80\\n", health: "{http: \"http://127.0.0.1:\(port)/missing.html\", interval: 1s, startPeriod: 30s}")
        #expect(try plumb("sync").status == 0)
        try #require(eventually { (web()?["message"] as? String)?.contains("404, expected 200") == true })
        #expect(web()?["health"] as? String == "Progressing", "failing within its start period: \(web() ?? [:])")
        #expect(try plumb("agent", "--once").status == 0, "Synced, though not Healthy yet")

        try declare(config: "listen 80\\n", health: "{http: \"http://127.0.0.1:\(port)/index.html\", interval: 1s, startPeriod: 1s}")
        #expect(try plumb("agent", "--once").status == 0)
        #expect(web()?["health"] as? String == "Healthy", "\(web() ?? [:])")

        // The page goes: the probe fails, and once the 1 s start period is over (a pass within it
        // says Progressing), Degraded; the pass after that journals the change.
        try FileManager.default.removeItem(atPath: fx.target.file("www/index.html"))
        try #require(eventually { web()?["health"] as? String == "Degraded" }, "\(web() ?? [:])")
        #expect(try plumb("agent", "--once").status == 0)
        #expect((web()?["message"] as? String)?.contains("probe GET http://127.0.0.1:\(port)/index.html → 200 failed: 404, expected 200") == true)
        let detail = try plumb("diff", "Service/web").stdout
        #expect(detail.contains("probe GET http://127.0.0.1:\(port)/index.html → 200, every 1s, 2s timeout, 1s start period: failed (404, expected 200), "),
                "the probe's last answer and its age: \(detail)")

        // The unit itself fails: Degraded from systemd's word, and OutOfSync.
        try machine.run("systemctl", ["kill", "--signal=KILL", "web.service"])
        try #require(eventually { (try? state()) == "failed" || (try? state()) == "inactive" })
        #expect(web()?["sync"] as? String == "OutOfSync")

        let changes = try fx.messages(of: "HealthChanged")
        #expect(changes.first?.hasPrefix("Healthy → Progressing: probe GET") == true, "\(changes)")
        #expect(changes.contains("Progressing → Healthy"), "\(changes)")
        #expect(changes.contains { $0.hasPrefix("Healthy → Degraded: probe GET") }, "\(changes)")
        #expect(Set(changes).count == changes.count, "once per change: \(changes)")
        let levels = try fx.journal().filter { $0["reason"] as? String == "HealthChanged" }.compactMap { $0["level"] as? String }
        #expect(levels.prefix(3) == ["warning", "info", "error"], "worse is a warning or an error, better an info: \(levels)")
    }

    @Test func aProbeThatNeverAnswersIsBoundedByItsTimeout() throws {
        // A server that accepts connections and never says a word.
        try machine.install(unit: "mute.service", """
            [Service]
            ExecStart=/usr/bin/python3 -c "import socket, time; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', 18081)); s.listen(); c = [s.accept() for _ in iter(int, 1)]"
            """)
        try fx.source.write("resources/mute.yaml", """
            kind: Service
            name: mute
            spec: {unit: mute.service, health: {http: "http://127.0.0.1:18081/", timeout: 500ms, startPeriod: 1s}}
            """)
        try fx.source.commit("mute")
        #expect(try plumb("sync").status == 0)
        try #require(eventually { (try? machine.run("ss", ["-ltn"]))?.stdout.contains("127.0.0.1:18081") == true })
        sleep(1)
        let start = Date()
        let status = try plumb("status", "--json")
        #expect(Date().timeIntervalSince(start) < 10, "a probe waits its timeout, not the server")
        let row = PlumbFixture.resource("Service/mute", in: status.stdout)
        #expect(row?["health"] as? String == "Degraded", "\(row ?? [:])")
        #expect((row?["message"] as? String)?.contains("no answer in time") == true, "\(row ?? [:])")
    }

    @Test func aSystemctlThatHangsMakesTheServiceUnknownInTime() throws {
        try declare(config: "listen 80\\n")
        let hang = fx.state.file("hanging-systemctl")
        try "#!/bin/sh\nsleep 600\n".write(toFile: hang, atomically: true, encoding: .utf8)
        chmod(hang, 0o755)
        let start = Date()
        let status = try machine.run(machine.plumbBinary, ["status", "--json"],
                                     env: fx.environment.merging(["PLUMB_SYSTEMCTL": hang, "PLUMB_SYSTEMCTL_TIMEOUT": "1s"]) { _, new in new })
        #expect(Date().timeIntervalSince(start) < 20, "bounded by the timeout")
        let web = PlumbFixture.resource("Service/web", in: status.stdout)
        #expect(web?["sync"] as? String == "Unknown", "\(web ?? [:])")
        #expect((web?["message"] as? String)?.contains("did not finish within 1s") == true, "\(web ?? [:])")
        #expect(PlumbFixture.resource("File/web-conf", in: status.stdout)?["sync"] as? String == "OutOfSync", "files are still observed")
    }

    @Test func enabledIsKeptAndUndoneByPrune() throws {
        try machine.install(unit: "boot.service", "[Service]\nExecStart=/bin/sleep infinity\n[Install]\nWantedBy=multi-user.target\n")
        #expect(try machine.property("UnitFileState", of: "boot.service") == "disabled")
        try fx.source.write("resources/boot.yaml", "kind: Service\nname: boot\nspec: {unit: boot.service, enabled: true}\n")
        try fx.source.commit("boot")
        #expect(try plumb("status").stdout.contains("inactive (dead), declared running; disabled, declared enabled"))
        let sync = try plumb("sync")
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(try machine.property("UnitFileState", of: "boot.service") == "enabled")
        #expect(try machine.property("ActiveState", of: "boot.service") == "active")
        #expect(try fx.messages(of: "ServiceStarted") == ["enabled and started boot.service"])
        try fx.source.write("resources/boot.yaml", "kind: File\nname: f\nspec: {path: f, content: x}\n")
        try fx.source.commit("retire boot")
        #expect(try plumb("sync", "--prune").status == 0)
        #expect(try machine.property("UnitFileState", of: "boot.service") == "disabled", "plumb enabled it, so it disables it")
        #expect(try machine.property("ActiveState", of: "boot.service") == "inactive")
    }

    @Test func aCommandRunsAfterTheRestartItFollows() throws {
        let note = """
            ---
            kind: Command
            name: note
            spec:
              run: ["sh", "-c", "echo ran >> \(fx.target.path)/notes"]
              onChangeOf: [Service/web]
            """
        try declare(config: "listen 80\\n", extra: note)
        #expect(try plumb("sync").status == 0)
        #expect(fx.target.read("notes") == "ran\n", "starting the unit is a change of it")
        try declare(config: "listen 81\\n", extra: note)
        let plan = try plumb("sync", "--dry-run")
        #expect(plan.stdout.contains("update File/web-conf → restart Service/web → run Command/note"), "\(plan.stdout)")
        #expect(try plumb("sync").status == 0)
        #expect(fx.target.read("notes") == "ran\nran\n")
    }

    @Test func aUnitFileWrittenByPlumbIsLoadedAndStarted() throws {
        // The target is the machine's (private) /run/systemd: its system/ folder is a unit folder.
        let env = fx.environment.merging(["PLUMB_TARGET": "/run/systemd"]) { _, new in new }
        try fx.source.write("resources/hello.yaml", """
            kind: File
            name: hello-unit
            spec:
              path: system/hello.service
              content: "[Service]\\nExecStart=/bin/sleep infinity\\n"
            ---
            kind: Service
            name: hello
            spec: {unit: hello.service, restartOn: [File/hello-unit]}
            """)
        try fx.source.commit("hello")
        let plan = try machine.run(machine.plumbBinary, ["sync", "--dry-run"], env: env)
        #expect(plan.stdout.contains("daemon-reload"), "\(plan.stdout)")
        let sync = try machine.run(machine.plumbBinary, ["sync"], env: env)
        #expect(sync.status == 0, "\(sync.stdout)\(sync.stderr)")
        #expect(try machine.property("ActiveState", of: "hello.service") == "active")
    }

    @Test func aServiceNoLongerDeclaredIsStoppedByPrune() throws {
        try declare(config: "listen 80\\n")
        #expect(try plumb("sync").status == 0)
        try fx.source.write("resources/web.yaml", "kind: File\nname: web-conf\nspec: {path: etc/web.conf, content: \"listen 80\\n\"}\n")
        try fx.source.commit("retire web")
        let status = try plumb("status")
        #expect(status.stdout.contains("no longer declared; plumb started it"), "\(status.stdout)")
        #expect(try plumb("sync", "--prune").status == 0)
        #expect(try state() == "inactive")
        #expect(try fx.messages(of: "ServiceStopped").contains("stopped web.service: no longer declared"))
    }
}
