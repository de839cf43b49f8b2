import Foundation
import Testing
import TestSupport

/// What the head's policy sees of a proposal beyond its fields: removing or emptying `policy.yaml`
/// (merged, it would lift every rule for the changes after it), and the content of its files.
@Suite struct ProposalPolicyTests {
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

    /// The case: a PEM private key under a harmless name, found by what it holds.
    @Test func aPrivateKeyUnderAHarmlessNameIsFoundByItsContent() throws {
        try fx.source.write("policy.yaml", SourceChangeTests.policy + """

              - name: no-private-keys
                deny-content-regex: "-----BEGIN [A-Z ]*PRIVATE KEY-----"
                message: private keys belong in a sensitive, encrypted file
            """)
        try fx.source.commit("and a content rule")
        let pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n"
        try fx.source.propose("notes", ["resources/notes.yaml": "kind: File\nname: notes\nspec:\n  path: etc/notes.txt\n  content: |\n    " + pem.split(separator: "\n").joined(separator: "\n    ") + "\n"])
        try fx.source.propose("secret", ["resources/secret.yaml": "kind: File\nname: secret\nspec:\n  path: etc/ssh/key\n  sensitive: true\n  content: |\n    " + pem.split(separator: "\n").joined(separator: "\n    ") + "\n"])
        let all = try verdicts()
        #expect(all["notes"] == ["no-private-keys: File/notes: private keys belong in a sensitive, encrypted file (its content matches)"], "\(all)")
        #expect(all["secret"] == [], "a sensitive file is not read by content rules: \(all)")
        let check = try fx.plumb("check", "--proposal", "notes")
        #expect(check.status != 0 && !(check.stdout + check.stderr).contains("b3BlbnNzaC1rZXkt"), "the content is never quoted")
    }

    /// A template can render a key on one host only: content rules read every host's rendering.
    @Test func contentRulesReadEachOtherHostsRendering() throws {
        try fx.source.write("policy.yaml", SourceChangeTests.policy + """

              - name: no-private-keys
                deny-content-regex: "-----BEGIN [A-Z ]*PRIVATE KEY-----"
            """)
        try fx.source.write("vars/common.yaml", "key: none\n")
        try fx.source.commit("a content rule and values")
        let template = "kind: File\nname: app-env\nspec:\n  path: etc/app.env\n  template: true\n  content: \"KEY={{key}}\\n\"\n"
        try fx.source.propose("per-host", ["resources/app.yaml": template,
                                           "hosts/web2.yaml": "key: \"-----BEGIN RSA PRIVATE KEY-----\"\n",
                                           "hosts/web3.yaml": "key: plain\n"])
        let violations = try verdicts()["per-host"] ?? []
        #expect(violations == ["no-private-keys: File/app-env: denied (its content matches) on host web2"], "\(violations)")
    }
}
