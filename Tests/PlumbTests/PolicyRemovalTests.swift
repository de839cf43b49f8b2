import Foundation
import Testing
import TestSupport

/// A change that removes or empties `policy.yaml` breaks the policy itself: merged, it would have
/// lifted every rule for the changes after it.
@Suite struct PolicyRemovalTests {
    let fx: PlumbFixture
    let identity: [String: String]

    init() throws {
        fx = try PlumbFixture()
        identity = try fx.operatorIdentity()
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome"))
        try fx.source.write("policy.yaml", SourceChangeTests.policy)
        try fx.source.commit("motd and its policy")
    }

    func verdicts() throws -> [String: [String]] {
        let json = try fx.plumb("proposals", "--json").stdout
        let reviews = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: reviews.map { ($0["name"] as? String ?? "", $0["violations"] as? [String] ?? []) })
    }

    @Test func aProposalThatRemovesThePolicyFailsIt() throws {
        try git(["checkout", "--quiet", "-B", "proposal/no-rules", "main"], cwd: fx.source.work)
        try fx.source.remove("policy.yaml")
        try fx.source.commit("drop the policy", branch: "proposal/no-rules")
        try git(["checkout", "--quiet", "main"], cwd: fx.source.work)
        let violations = try verdicts()["no-rules"] ?? []
        #expect(violations.contains { $0.contains("removes policy.yaml: every rule would be lifted") }, "\(violations)")
        let approve = try fx.plumb(arguments: ["approve", "no-rules", "--yes"], env: identity)
        #expect(approve.status == 1 && approve.stderr.contains("removes policy.yaml"), "refused, saying why: \(approve.stderr)")
        #expect(try fx.source.head("proposal/no-rules") != nil, "nothing changed")
    }

    @Test func aProposalThatEmptiesThePolicyFailsIt() throws {
        try fx.source.propose("empty-rules", ["policy.yaml": "rules: []\n"])
        try fx.source.propose("harmless", ["resources/motd.yaml": SourceChangeTests.file("motd", "etc/motd", "hello")])
        let all = try verdicts()
        #expect(all["empty-rules"]?.contains { $0.contains("empties policy.yaml: all 2 rule(s) would be lifted") } == true, "\(all)")
        #expect(all["harmless"] == [], "a change that keeps the policy passes: \(all)")
        let check = try fx.plumb("check", "--proposal", "empty-rules")
        #expect(check.status != 0 && (check.stdout + check.stderr).contains("empties policy.yaml"), "\(check.stdout)\(check.stderr)")
    }
}
