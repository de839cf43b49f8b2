import Testing
import DesiredState

/// `plumb.yaml` read on its own: engine settings and the alerts' routes.
@Suite struct SettingsTests {
    func parse(_ yaml: String) -> (Settings, [String]) {
        let (settings, problems) = Settings.parse(Array(yaml.utf8), file: "plumb.yaml")
        return (settings, problems.map(\.description))
    }

    @Test func alertsNameLevelsReasonsAndWhereTheyGo() {
        let (settings, problems) = parse("""
            interval: 10s
            alerts:
              - minLevel: error
                reasons: [SyncFailed, HealthChanged, ValidationFailed]
                command: ["/usr/local/bin/page-me", "--urgent"]
              - webhook: https://bot:token@hooks.example.org/plumb/T0123?x=1
                timeout: 5s
            """)
        #expect(problems.isEmpty, "\(problems)")
        #expect(settings.interval == .seconds(10))
        #expect(settings.alerts.count == 2)
        let page = settings.alerts[0], hook = settings.alerts[1]
        #expect(page.destination == .command(["/usr/local/bin/page-me", "--urgent"]))
        #expect(page.matches(level: .error, reason: .syncFailed) && !page.matches(level: .error, reason: .fetchFailed))
        #expect(!page.matches(level: .warning, reason: .healthChanged), "below its level")
        #expect(hook.minLevel == .warning && hook.reasons == nil && hook.timeout == .seconds(5), "warning and worse, every reason, by default")
        #expect(hook.matches(level: .warning, reason: .pruneSkipped) && !hook.matches(level: .info, reason: .syncSucceeded))
        #expect(hook.place == "webhook https://hooks.example.org/…", "a webhook's token and credentials are never said: \(hook.place)")
        #expect(page.key != hook.key)
    }

    @Test func eachMistakeInAnAlertIsNamedAtItsPlace() {
        #expect(parse("alerts:\n  - minLevel: loud\n    command: [\"x\"]\n").1 == ["plumb.yaml:2:15: `minLevel` must be info, warning or error, not loud"])
        #expect(parse("alerts:\n  - reasons: [SyncFail]\n    command: [\"x\"]\n").1.first?.hasPrefix("plumb.yaml:2:15: unknown reason SyncFail (expected one of NewRevision,") == true)
        #expect(parse("alerts:\n  - minLevel: error\n").1 == ["plumb.yaml:2:5: an alert needs one of `command` (a list, such as [\"/usr/local/bin/page-me\"]) and `webhook` (a URL)"])
        #expect(parse("alerts:\n  - command: [\"x\"]\n    webhook: https://h/\n").1.first?.hasPrefix("plumb.yaml:2:5: an alert needs one of") == true)
        #expect(parse("alerts:\n  - webhook: file:///etc/passwd\n").1 == ["plumb.yaml:2:14: `webhook` must be an http or https URL, such as https://hooks.example.org/plumb, not file:///etc/passwd"])
        #expect(parse("alerts:\n  - command: page-me\n").1.first?.hasPrefix("plumb.yaml:2:14: `command` must be a command as a list") == true)
        #expect(parse("alerts:\n  - command: [\"x\"]\n    retries: 3\n").1.first?.hasPrefix("plumb.yaml:3:5: unknown field `retries` in an alert") == true)
        #expect(parse("alerts: page-me\n").1 == ["plumb.yaml:1:9: `alerts` must be a list of alerts"])
    }
}
