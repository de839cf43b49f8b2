import Foundation
import Testing
import DesiredState
import TestSupport
import VersionSource

/// Service and Command documents: every field read with its default, every mistake named at its
/// `file:line:column`, and notifications checked with `dependsOn` as one graph.
@Suite struct MachineManifestTests {
    func parse(_ yaml: String) -> ParsedManifest { ManifestParser.parse(Array(yaml.utf8), file: "resources/x.yaml") }
    func complaints(_ yaml: String) -> [String] { parse(yaml).diagnostics.map(\.description) }

    @Test func aServiceIsReadWithItsDefaults() throws {
        let parsed = parse("kind: Service\nname: web\nspec: {unit: nginx.service, restartOn: [File/conf], health: {http: \"http://127.0.0.1:8080/\"}}\n")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let spec = try #require(parsed.documents.first?.service)
        #expect(spec.unit == "nginx.service" && spec.state == .running && spec.enabled == nil)
        #expect(spec.restartOn == [ResourceID(kind: "File", name: "conf")] && spec.reloadOn.isEmpty)
        let probe = try #require(spec.probe)
        #expect(probe.check == .http(url: "http://127.0.0.1:8080/", expect: 200))
        #expect(probe.interval == .seconds(10) && probe.timeout == .seconds(2) && probe.startPeriod == .seconds(30))
    }

    @Test func aCommandIsReadWithItsDefaults() throws {
        let parsed = parse("kind: Command\nname: n\nspec: {run: [nginx, -s, reload], onChangeOf: [Service/web], cwd: srv/./www}\n")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let spec = try #require(parsed.documents.first?.command)
        #expect(spec.run == ["nginx", "-s", "reload"] && spec.timeout == .seconds(60) && spec.cwd == "srv/www")
    }

    @Test func serviceMistakesAreNamedAtTheirPlace() {
        #expect(complaints("kind: Service\nname: web\nspec: {state: running}\n")
                == ["resources/x.yaml:3:7: missing field `spec.unit` (the systemd unit, such as nginx.service)"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: \"../x service\"}\n")
                == ["resources/x.yaml:3:14: bad unit name ../x service: write a systemd unit such as nginx.service"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: a.service, state: up}\n")
                == ["resources/x.yaml:3:32: bad state up: write running or stopped"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: a.service, health: {tcp: nowhere}}\n")
                == ["resources/x.yaml:3:39: bad address nowhere: write HOST:PORT, such as 127.0.0.1:5432"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: a.service, health: {interval: 1s}}\n")
                == ["resources/x.yaml:3:33: `health` needs exactly one of `http`, `tcp` and `command`"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: a.service, health: {command: [true], timeout: soon}}\n")
                == ["resources/x.yaml:3:60: bad duration soon in `timeout`: write a number and a unit, such as 500ms, 30s, 5m or 1h"])
        #expect(complaints("kind: Service\nname: web\nspec: {unit: a.service, path: etc}\n").first?.contains("unknown field `path` in the spec of a Service") == true)
    }

    @Test func everyMistakeOfAServiceIsNamedAtOnce() {
        #expect(complaints("kind: Service\nname: web\nspec: {unit: \"nginx service\", state: up, health: {tcp: a}}\n") == [
            "resources/x.yaml:3:14: bad unit name nginx service: write a systemd unit such as nginx.service",
            "resources/x.yaml:3:38: bad state up: write running or stopped",
            "resources/x.yaml:3:56: bad address a: write HOST:PORT, such as 127.0.0.1:5432",
        ])
    }

    @Test func commandMistakesAreNamedAtTheirPlace() {
        #expect(complaints("kind: Command\nname: n\nspec: {onChangeOf: [File/a]}\n").first?.hasPrefix("resources/x.yaml:3:7: missing field `spec.run`") == true)
        #expect(complaints("kind: Command\nname: n\nspec: {run: [true]}\n")
                == ["resources/x.yaml:3:7: missing field `spec.onChangeOf`: a Command runs only when what it names changed in a sync"])
        #expect(complaints("kind: Command\nname: n\nspec: {run: \"make all\", onChangeOf: [File/a]}\n").first?.hasPrefix("resources/x.yaml:3:13: `run` must be a command as a list") == true)
        #expect(complaints("kind: Command\nname: n\nspec: {run: [true], onChangeOf: [File/a], cwd: ../up}\n").first?.hasPrefix("resources/x.yaml:3:48: ") == true)
    }
}

/// Notifications across the whole revision: unknown ids and cycles through them are invalid.
extension AssemblerTests {

    @Test func anUnknownIdInRestartOnIsNamedAtIt() async throws {
        try repo.write("resources/a.yaml", "kind: Service\nname: web\nspec: {unit: web.service, restartOn: [File/nope]}\n")
        #expect(try await commitAndComplaints() == ["resources/a.yaml:3:39: restartOn names File/nope, which this revision does not declare"])
    }

    @Test func aCycleThroughNotificationsIsRefused() async throws {
        try repo.write("resources/a.yaml", """
            kind: Service
            name: web
            dependsOn: [Command/warm]
            spec: {unit: web.service}
            ---
            kind: Command
            name: warm
            spec: {run: [true], onChangeOf: [Service/web]}
            """)
        #expect(try await commitAndComplaints() == ["resources/a.yaml:3:13: dependsOn makes a cycle: Command/warm → Service/web → Command/warm"])
    }

    @Test func servicesAndCommandsNeedNoPathAndComeFirst() async throws {
        try repo.write("resources/a.yaml", """
            kind: File
            name: conf
            spec: {path: a, content: a}
            ---
            kind: Service
            name: web
            spec: {unit: web.service, restartOn: [File/conf]}
            ---
            kind: Command
            name: note
            spec: {run: [true], onChangeOf: [Service/web]}
            """)
        #expect(try await commitAndLoad().resources.map(\.id.description) == ["Command/note", "Service/web", "File/conf"])
    }
}
