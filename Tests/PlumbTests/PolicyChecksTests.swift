import Foundation
import Testing
import TestSupport

/// `checks:` of the branch head's policy, run on a checkout of each proposal's merged tree with
/// real programs: `python3 -m json.tool` as the syntax check an operator would write.
@Suite struct PolicyChecksTests {
    let fx: PlumbFixture
    let identity: [String: String]
    /// Each run of the counting check adds a line here, outside every tree.
    let runs: Scratch

    init() throws {
        fx = try PlumbFixture()
        identity = try fx.operatorIdentity()
        runs = try Scratch()
        try fx.source.write("files/app.json", "{\"port\": 8080}\n")
        try fx.source.write("resources/app.yaml", "kind: File\nname: app\nspec:\n  path: etc/app.json\n  source: files/app.json\n")
        try fx.source.write("policy.yaml", Self.policy(checks: """
              - name: json-syntax
                run: ["python3", "-m", "json.tool", "{tree}/files/app.json"]
                timeout: 30s
              - name: counted
                run: ["/bin/sh", "-c", "echo run >> \(runs.file("count")); test -f \\"$0/files/app.json\\"", "{tree}"]
            """))
        try fx.source.commit("an app and checks on it")
    }

    static func policy(checks: String) -> String { "rules:\n  - name: small\n    max-deletes: 3\nchecks:\n" + checks + "\n" }

    func reviews() throws -> [String: [String: Any]] {
        let out = try fx.plumb("proposals", "--json")
        let list = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [[String: Any]], "\(out.stderr)")
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    var runCount: Int { runs.read("count")?.split(separator: "\n").count ?? 0 }

    @Test func aProposalThatBreaksTheCheckFailsEverywhereAndOneThatKeepsItPasses() throws {
        try fx.source.propose("broken", ["files/app.json": "{\"port\": 8080,\n"])
        try fx.source.propose("fine", ["files/app.json": "{\"port\": 9090}\n"])
        let all = try reviews()
        let broken = try #require(all["broken"])
        #expect(broken["policy"] as? String == "fail")
        let violations = broken["violations"] as? [String] ?? []
        #expect(violations.contains { $0.hasPrefix("check json-syntax: exit 1: ") }, "\(violations)")
        let checks = broken["checks"] as? [[String: Any]] ?? []
        #expect(checks.first?["name"] as? String == "json-syntax" && checks.first?["passed"] as? Bool == false, "\(checks)")
        #expect((checks.first?["output"] as? String)?.contains("Expecting property name enclosed in double quotes") == true
                || (checks.first?["output"] as? String)?.contains("Expecting") == true, "the tail of what it printed is kept: \(checks)")
        #expect(all["fine"]?["policy"] as? String == "pass", "\(all["fine"] ?? [:])")

        let check = try fx.plumb("check", "--proposal", "broken")
        #expect(check.status == 1)
        #expect(check.stdout.contains("check json-syntax: exit 1") && check.stdout.contains("    | "), "\(check.stdout)")

        let approve = try fx.plumb(arguments: ["approve", "broken", "--yes"], env: identity)
        #expect(approve.status == 1 && approve.stderr.contains("check json-syntax: exit 1"), "\(approve.stderr)")
        #expect(try fx.source.head("proposal/broken") != nil, "nothing changed at the source")
        #expect(try fx.plumb(arguments: ["approve", "fine", "--yes"], env: identity).status == 0)
    }

    @Test func aCheckThatHangsIsStoppedAtItsTimeout() throws {
        try fx.source.write("policy.yaml", Self.policy(checks: """
              - name: slow
                run: ["/bin/sh", "-c", "echo thinking; sleep 60", "{tree}"]
                timeout: 1s
            """))
        try fx.source.commit("a slow check")
        try fx.source.propose("any", ["files/app.json": "{}\n"])
        let start = Date()
        let check = try fx.plumb("check", "--proposal", "any")
        #expect(Date().timeIntervalSince(start) < 15, "bounded by its timeout")
        #expect(check.status == 1)
        #expect(check.stdout.contains("check slow: did not finish within 1s and was stopped: thinking"), "\(check.stdout)")
    }

    /// The checks are the head's: a proposal that rewrites them to always pass is still checked
    /// by the head's, and fails for removing them.
    @Test func checksComeFromTheBranchHeadNeverTheProposal() throws {
        try fx.source.propose("sneaky", ["files/app.json": "not json\n",
                                         "policy.yaml": Self.policy(checks: "  - name: json-syntax\n    run: [\"true\", \"{tree}\"]")])
        let violations = try #require(try reviews()["sneaky"])["violations"] as? [String] ?? []
        #expect(violations.contains { $0.hasPrefix("check json-syntax: exit 1") }, "\(violations)")
        try fx.source.propose("no-checks", ["policy.yaml": "rules: []\n"])
        let lifted = try #require(try reviews()["no-checks"])["violations"] as? [String] ?? []
        #expect(lifted.contains { $0.contains("empties policy.yaml: all 1 rule(s) and 2 check(s) would be lifted") }, "\(lifted)")
    }

    /// Once per (proposal head, branch head): asking again runs nothing; a new proposal head, or
    /// a new branch head, runs the checks again.
    @Test func resultsAreKeptPerProposalHeadAndBranchHead() throws {
        try fx.source.propose("change", ["files/app.json": "{\"port\": 1}\n"])
        _ = try reviews()
        #expect(runCount == 1)
        _ = try reviews()
        _ = try fx.plumb("check", "--proposal", "change")
        #expect(runCount == 1, "kept, not run again")
        try fx.source.propose("change", ["files/app.json": "{\"port\": 2}\n"])
        _ = try reviews()
        #expect(runCount == 2, "the proposal moved")
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "hi"))
        try fx.source.commit("the branch moves")
        _ = try reviews()
        #expect(runCount == 3, "the branch moved")
    }

    /// `{tree}` is a checkout of the merged tree (the branch's files and the proposal's), and the
    /// check gets no stdin: one that reads it ends at once.
    @Test func theTreeIsTheMergeCheckedOutAndStdinIsEmpty() throws {
        try fx.source.write("policy.yaml", Self.policy(checks: """
              - name: merged
                run: ["/bin/sh", "-c", "cat >/dev/null; test -f \\"$0/files/app.json\\" && test -f \\"$0/files/extra.txt\\" && ! test -d \\"$0/.git\\"", "{tree}"]
                timeout: 10s
            """))
        try fx.source.commit("a check of the merged tree")
        try fx.source.propose("extra", ["files/extra.txt": "more\n"])
        let check = try fx.plumb("check", "--proposal", "extra")
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("check merged: passed"), "\(check.stdout)")
    }

    /// A slow check never delays healing: the agent reviews proposals beside its passes.
    @Test func aSlowCheckNeverDelaysHealing() throws {
        try fx.source.write("policy.yaml", Self.policy(checks: """
              - name: slow
                run: ["/bin/sh", "-c", "echo started >> \(runs.file("slow")); sleep 40", "{tree}"]
                timeout: 50s
            """))
        try fx.source.commit("a slow check")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.propose("waits", ["files/app.json": "{}\n"])
        let agent = try fx.spawn(["agent", "--interval", "1s", "--auto-sync"])
        defer { agent.terminate(); agent.waitUntilExit() }
        #expect(eventually(20) { runs.read("slow") != nil }, "the check started")
        try fx.target.write("etc/app.json", "edited by hand\n")
        #expect(eventually(8) { fx.target.read("etc/app.json") == "{\"port\": 8080}\n" }, "healed while the check still runs")
    }
}
