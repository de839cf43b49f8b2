import Testing
import DesiredState

/// `policy.yaml` read on its own, and its rules applied to a desired state and a plan.
@Suite struct PolicyTests {
    func complaints(_ yaml: String) -> [String] {
        Policy.parse(Array(yaml.utf8), file: "policy.yaml").1.map(\.description)
    }

    func resource(_ name: String, path: String, mode: UInt32 = 0o644) -> DesiredResource {
        DesiredResource(id: ResourceID(kind: "File", name: name), path: path, shape: .file(blob: name, inline: nil, mode: mode),
                        sensitive: false, origin: SourceLocation(file: "resources/x.yaml", line: 1, column: 1))
    }

    func state(_ resources: [DesiredResource]) -> DesiredState {
        DesiredState(revision: "r", resources: resources, settings: Settings())
    }

    @Test func everyMistakeIsNamedWithItsLineAndColumn() {
        #expect(complaints("rules:\n  - name: a\n    field: spec.colour\n    deny-regex: x\n")
            == ["policy.yaml:3:12: unknown field spec.colour (expected kind, name, spec.content, spec.group, spec.health.command, spec.mode, spec.owner, spec.path, spec.prune, spec.purge, spec.run, spec.sensitive, spec.target, spec.unit, spec.validate)"])
        #expect(complaints("rules:\n  - name: a\n    field: spec.path\n    deny-regex: \"(\"\n").first?.hasPrefix("policy.yaml:4:17: bad regular expression (") == true)
        #expect(complaints("rules:\n  - name: a\n    max-deletes: many\n") == ["policy.yaml:3:18: `max-deletes` must be a whole number, 0 or more"])
        #expect(complaints("rules:\n  - name: a\n    max-deletes: 1\n    max-changes: 2\n") == ["policy.yaml:2:5: rule a has max-deletes and max-changes: give one per rule"])
        #expect(complaints("rules:\n  - field: spec.path\n    deny-glob: x\n") == ["policy.yaml:2:5: a rule needs a `name`"])
        #expect(complaints("rules:\n  - name: a\n    kinds: [Servce]\n    max-changes: 1\n") == ["policy.yaml:3:13: unknown kind Servce (expected File, Directory, Symlink, Service or Command)"])
        #expect(complaints("rules:\n  - name: a\n    deny-glob: x\n") == ["policy.yaml:2:5: rule a needs a `field` for deny-glob, such as spec.path"])
        #expect(complaints("rule:\n  - name: a\n").first?.hasPrefix("policy.yaml:1:1: unknown field `rule`") == true)
        #expect(complaints("rules: [\n").first?.hasPrefix("policy.yaml:2:1: YAML syntax error") == true)
        #expect(complaints("rules:\n  - name: a\n    max-changes: 1\n  - name: a\n    max-changes: 2\n") == ["policy.yaml:4:5: two rules are named a"])
        #expect(complaints("").isEmpty, "an empty policy has no rules")
    }

    @Test func fieldRulesDenyMatchingResourcesOfTheirKinds() {
        let (policy, problems) = Policy.parse(Array("""
            rules:
              - name: no-shadow
                field: spec.path
                deny-glob: "etc/shadow*"
              - name: no-world-writable
                kinds: [File]
                field: spec.mode
                deny-regex: "[2367]$"
                message: files must not be world-writable
              - name: no-dirs-here
                kinds: [Directory]
                field: spec.path
                deny-regex: "^etc"
            """.utf8), file: "policy.yaml")
        #expect(problems.isEmpty)
        let violations = policy.violations(of: state([
            resource("shadow", path: "etc/shadow-"), resource("open", path: "srv/open", mode: 0o666), resource("fine", path: "etc/fine"),
        ]), changes: [])
        #expect(violations.map(\.description) == [
            "no-shadow: File/shadow: denied (spec.path etc/shadow-)",
            "no-world-writable: File/open: files must not be world-writable (spec.mode 0666)",
        ])
    }

    /// "Every `*.key` must be sensitive": a condition on one field that requires another.
    @Test func aWhenRequirePairChecksOneFieldWhereAnotherHolds() {
        let (policy, problems) = Policy.parse(Array("""
            rules:
              - name: keys-are-sensitive
                kinds: [File]
                when: {field: spec.path, glob: "*.key"}
                require: {field: spec.sensitive, equals: true}
                message: private keys must be sensitive
              - name: etc-is-private
                when: {field: spec.path, regex: "^etc/ssl/"}
                require: {field: spec.mode, regex: "0[46]00$"}
            """.utf8), file: "policy.yaml")
        #expect(problems.isEmpty, "\(problems)")
        var secret = resource("tls", path: "etc/ssl/site.key", mode: 0o600)
        secret = DesiredResource(id: secret.id, path: secret.path, shape: secret.shape, sensitive: true, origin: secret.origin)
        let violations = policy.violations(of: state([
            resource("leak", path: "srv/app/server.key", mode: 0o600), secret, resource("cert", path: "etc/ssl/site.crt"),
            resource("motd", path: "etc/motd"),
        ]), changes: [])
        #expect(violations.map(\.description) == [
            "keys-are-sensitive: File/leak: private keys must be sensitive (spec.path srv/app/server.key)",
            "etc-is-private: File/cert: requires spec.mode matching /0[46]00$/ (spec.path etc/ssl/site.crt)",
        ])
    }

    @Test func aWhenRequirePairsMistakesAreNamed() {
        #expect(complaints("rules:\n  - name: a\n    when: {field: spec.path, glob: x}\n")
            == ["policy.yaml:2:5: rule a has `when` without `require`: say what must hold, such as require: {field: spec.sensitive, equals: true}"])
        #expect(complaints("rules:\n  - name: a\n    max-changes: 1\n    require: {field: spec.path, glob: x}\n")
            == ["policy.yaml:4:5: `require` goes with `when`: when: {field: spec.path, glob: \"*.key\"}"])
        #expect(complaints("rules:\n  - name: a\n    when: {field: spec.colour, glob: x}\n    require: {field: spec.path, equals: y}\n").first?
            .hasPrefix("policy.yaml:3:19: unknown field spec.colour") == true)
        #expect(complaints("rules:\n  - name: a\n    when: {field: spec.path, glob: x, equals: y}\n    require: {field: spec.path, equals: y}\n")
            == ["policy.yaml:3:12: a condition takes one of glob, regex or equals"])
        #expect(complaints("rules:\n  - name: a\n    when: {glob: x}\n    require: {field: spec.path, equals: y}\n")
            == ["policy.yaml:3:11: a condition needs a `field`, such as {field: spec.path, glob: \"*.key\"}"])
    }

    @Test func checksAreReadWithTheirTreeAndTimeoutAndTheirMistakesNamed() {
        let (policy, problems) = Policy.parse(Array("""
            checks:
              - name: nginx-syntax
                run: ["nginx", "-t", "-p", "{tree}", "-c", "{tree}/files/nginx.conf"]
                timeout: 90s
              - name: default-timeout
                run: ["test", "-d", "{tree}"]
            """.utf8), file: "policy.yaml")
        #expect(problems.isEmpty, "\(problems)")
        #expect(policy.rules.isEmpty && !policy.isEmpty)
        #expect(policy.checks.map(\.name) == ["nginx-syntax", "default-timeout"])
        #expect(policy.checks[0].timeout == .seconds(90) && policy.checks[1].timeout == PolicyCheck.defaultTimeout)
        #expect(policy.checks[0].arguments(tree: "/tmp/t") == ["nginx", "-t", "-p", "/tmp/t", "-c", "/tmp/t/files/nginx.conf"])

        #expect(complaints("checks:\n  - name: a\n    run: [\"true\"]\n")
            == ["policy.yaml:3:10: check a must name the tree it checks with {tree}, such as \"{tree}/files/nginx.conf\""])
        #expect(complaints("checks:\n  - name: a\n") == ["policy.yaml:2:5: check a needs `run`, the command as a list, such as [\"nginx\", \"-t\", \"-c\", \"{tree}/files/nginx.conf\"]"])
        #expect(complaints("checks:\n  - run: [\"x\", \"{tree}\"]\n") == ["policy.yaml:2:5: a check needs a `name`"])
        #expect(complaints("checks:\n  - name: a\n    run: [\"x\", \"{tree}\"]\n    timeout: forever\n").first?.hasPrefix("policy.yaml:4:14: bad duration forever") == true)
        #expect(complaints("checks:\n  - name: a\n    run: [\"x\", \"{tree}\"]\n    timeout: 2h\n") == ["policy.yaml:4:14: a check may run at most 1h"])
        #expect(complaints("checks:\n  - name: a\n    run: [\"x\", \"{tree}\"]\n    shell: yes\n").first?.hasPrefix("policy.yaml:4:5: unknown field `shell` in a check") == true)
        #expect(complaints("checks: nginx -t\n") == ["policy.yaml:1:9: `checks` must be a list of checks"])
        #expect(complaints("checks:\n  - name: a\n    run: [\"x\", \"{tree}\"]\n  - name: a\n    run: [\"y\", \"{tree}\"]\n") == ["policy.yaml:4:5: two checks are named a"])
    }

    @Test func aContentRuleReadsNonSensitiveFilesAndBoundsWhatItReads() {
        let (policy, problems) = Policy.parse(Array("rules:\n  - name: no-keys\n    deny-content-regex: \"PRIVATE KEY\"\n".utf8), file: "policy.yaml")
        #expect(problems.isEmpty && policy.readsContent)
        let files = [resource("leak", path: "etc/leak"), resource("fine", path: "etc/fine"), resource("huge", path: "srv/huge")]
        let contents: [String: [UInt8]] = ["leak": Array("x PRIVATE KEY x".utf8), "fine": Array("hello".utf8),
                                           "huge": Array(repeating: 0x61, count: Policy.contentLimit + 1)]
        #expect(policy.violations(of: state(files), changes: []).isEmpty, "field rules do not judge content")
        #expect(policy.contentViolations(of: state(files), contents: contents).map(\.description) == [
            "no-keys: File/leak: denied (its content matches)",
            "no-keys: File/huge: 1048577 bytes, over the 1048576 a content rule reads: it cannot vouch for this file",
        ])
        #expect(complaints("rules:\n  - name: a\n    field: spec.path\n    deny-content-regex: x\n") == ["policy.yaml:3:5: deny-content-regex reads the content: it takes no `field`"])
    }

    @Test func planRulesCountTheChanges() {
        let (policy, _) = Policy.parse(Array("rules:\n  - name: few\n    max-changes: 1\n  - name: keep\n    max-deletes: 0\n".utf8), file: "policy.yaml")
        let before = state([resource("a", path: "a"), resource("b", path: "b")])
        let after = state([resource("a", path: "a", mode: 0o600), resource("c", path: "c")])
        let changes = ResourceChange.between(before, after)
        #expect(changes.map { "\($0.change.rawValue) \($0.id)" } == ["update File/a", "delete File/b", "create File/c"])
        #expect(policy.violations(of: after, changes: changes).map(\.description) == [
            "few: changes 3 resources, more than the 1 allowed",
            "keep: deletes 1 resources, more than the 0 allowed",
        ])
    }

    /// A rule can refuse a `validate` command by its words.
    @Test func aRuleSeesAValidateCommand() {
        let (policy, problems) = Policy.parse(Array("rules:\n  - name: no-curl\n    field: spec.validate\n    deny-regex: \"^curl \"\n".utf8), file: "policy.yaml")
        #expect(problems.isEmpty)
        let checked = DesiredResource(id: ResourceID(kind: "File", name: "a"), path: "a", shape: .file(blob: "a", inline: nil, mode: 0o644),
                                      sensitive: false, origin: SourceLocation(file: "resources/x.yaml", line: 1, column: 1),
                                      validate: ["curl", "-d", "@{}", "https://example.org"])
        let plain = resource("b", path: "b")
        let violations = policy.violations(of: state([checked, plain]), changes: [])
        #expect(violations.map(\.resource) == [checked.id])
    }

    @Test func aRuleSeesWhatACommandRuns() {
        let (policy, problems) = Policy.parse(Array("rules:\n  - name: no-curl-commands\n    kinds: [Command]\n    field: spec.run\n    deny-regex: \"^curl \"\n".utf8), file: "policy.yaml")
        #expect(problems.isEmpty, "\(problems)")
        let origin = SourceLocation(file: "resources/x.yaml", line: 1, column: 1)
        let fetcher = DesiredResource(id: ResourceID(kind: "Command", name: "fetch"), path: "",
                                      shape: .command(CommandSpec(run: ["curl", "-o", "x", "https://example.org"], onChangeOf: [])),
                                      sensitive: false, origin: origin)
        let harmless = DesiredResource(id: ResourceID(kind: "Command", name: "note"), path: "",
                                       shape: .command(CommandSpec(run: ["true"], onChangeOf: [])), sensitive: false, origin: origin)
        #expect(policy.violations(of: state([fetcher, harmless, resource("b", path: "b")]), changes: []).map(\.resource) == [fetcher.id])
    }
}
