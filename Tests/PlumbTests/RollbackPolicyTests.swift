import Foundation
import Testing
import TestSupport

/// A rollback is judged by the head's policy as a proposal is: refused when it breaks it, unless
/// the operator says why, which is journalled and written in the commit.
@Suite struct RollbackPolicyTests {
    let fx: PlumbFixture
    let identity: [String: String]
    let first: String, second: String

    init() throws {
        fx = try PlumbFixture()
        identity = try fx.operatorIdentity()
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome"))
        try fx.source.write("policy.yaml", SourceChangeTests.policy) // keep-things: max-deletes: 0
        first = try fx.source.commit("motd and its policy")
        try fx.source.write("resources/issue.yaml", SourceChangeTests.file("issue", "etc/issue", "issue"))
        second = try fx.source.commit("and an issue file")
    }

    func plumb(_ arguments: String...) throws -> ProcessResult { try fx.plumb(arguments: arguments, env: identity) }

    @Test func aRollbackThatBreaksThePolicyIsRefusedAndNothingPushed() throws {
        let refused = try plumb("rollback", first, "--yes")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("breaks the policy of \(second.prefix(12)); nothing pushed"), "\(refused.stderr)")
        #expect(refused.stderr.contains("keep-things"), "the rule it breaks: \(refused.stderr)")
        #expect(refused.stderr.contains("--override-policy REASON"))
        #expect(try fx.source.head() == second)
    }

    @Test func anOverrideSaysWhyInTheCommitAndTheJournal() throws {
        let reason = "incident 42: the issue file broke logins"
        let rolled = try plumb("rollback", first, "--yes", "--override-policy", reason)
        #expect(rolled.status == 0, "\(rolled.stderr)")
        #expect(rolled.stderr.contains("overridden (\(reason))"))
        let head = try #require(try fx.source.head())
        let message = try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B", head])
        #expect(message.contains("Policy-override: \(reason)"), "\(message)")
        #expect(message.contains("Rollback-of: \(first)"))
        let overridden = try fx.journal().first { $0["reason"] as? String == "PolicyViolation" && ($0["message"] as? String)?.contains("overrode the policy") == true }
        #expect((overridden?["message"] as? String)?.contains(reason) == true, "\(String(describing: overridden))")
    }

    @Test func aRollbackWithinThePolicyNeedsNoReason() throws {
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "changed"))
        _ = try fx.source.commit("change the motd")
        let rolled = try plumb("rollback", second, "--yes")
        #expect(rolled.status == 0, "only an update: \(rolled.stderr)")
        let message = try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B"])
        #expect(!message.contains("Policy-override"))
    }
}
