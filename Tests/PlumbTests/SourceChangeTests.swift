import Foundation
import Testing
import TestSupport

/// history, rollback, proposals, approve, reject and check with the real binary on a real bare
/// source: every change to the source is a new commit (or a branch deletion) made by plumb.
@Suite struct SourceChangeTests {
    let fx: PlumbFixture
    /// Who the operator is: a git configuration of its own, not the machine's.
    let identity: [String: String]
    let first: String, second: String

    static let policy = """
        rules:
          - name: no-world-writable
            kinds: [File]
            field: spec.mode
            deny-regex: "[2367]$"
            message: files must not be world-writable
          - name: keep-things
            max-deletes: 0

        """

    init() throws {
        fx = try PlumbFixture()
        identity = try fx.operatorIdentity()
        try fx.source.write("resources/motd.yaml", Self.file("motd", "etc/motd", "one"))
        try fx.source.write("policy.yaml", Self.policy)
        first = try fx.source.commit("first motd")
        try fx.source.write("resources/motd.yaml", Self.file("motd", "etc/motd", "two"))
        try fx.source.write("resources/issue.yaml", Self.file("issue", "etc/issue", "issue"))
        second = try fx.source.commit("second motd, and an issue")
    }

    static func file(_ name: String, _ path: String, _ content: String, mode: String = "0644") -> String {
        "kind: File\nname: \(name)\nspec:\n  path: \(path)\n  content: \"\(content)\\n\"\n  mode: \"\(mode)\"\n"
    }

    func plumb(_ arguments: String...) throws -> ProcessResult { try fx.plumb(arguments: arguments, env: identity) }



    func json(_ text: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(text.utf8)) }

    func reasons() throws -> [String] {
        try plumb("events", "--json").stdout.split(separator: "\n").compactMap {
            (try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["reason"] as? String
        }
    }

    // MARK: history

    @Test func historyIsNewestFirstWithTheAppliedOneMarked() throws {
        try #require(plumb("sync").status == 0)
        try fx.source.write("resources/later.yaml", Self.file("later", "etc/later", "later"))
        let third = try fx.source.commit("third, not applied yet")
        let text = try plumb("history")
        #expect(text.status == 0, "\(text.stderr)")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("  \(third.prefix(12))") && lines[0].contains("third, not applied yet"))
        #expect(lines[1].hasPrefix("* \(second.prefix(12))"), "the applied revision is marked: \(lines[1])")
        #expect(lines[1].contains("Test Author"))
        let limited = try json(plumb("history", "-n", "2", "--json").stdout) as? [[String: Any]]
        #expect(limited?.count == 2)
        #expect(limited?.first?["sha"] as? String == third)
        #expect(limited?[1]["applied"] as? Bool == true)
        #expect(limited?[1]["rollbackOf"] is NSNull)
        #expect(limited?[1]["time"] as? String != nil)
    }

    @Test func oddCommitMessagesAreShownEscapedAndWhole() throws {
        let tree = try git(["rev-parse", "HEAD^{tree}"], cwd: fx.source.work)
        // Control characters, an empty subject, a very long line, bytes that are not UTF-8.
        var head = second
        let messages: [[UInt8]] = [
            Array("\u{1b}[31mred\u{1b}[0m and a bell\u{07}\n".utf8),
            [],
            Array(String(repeating: "long ", count: 2000).utf8) + [10],
            Array("caf".utf8) + [0xe9, 0xff] + Array(" latin-1\n".utf8),
        ]
        for message in messages {
            let file = fx.state.file("message")
            try Data(message).write(to: URL(fileURLWithPath: file))
            head = try git(["commit-tree", tree, "-p", head, "-F", file], cwd: fx.source.work)
        }
        try git(["push", "--quiet", "--force", "origin", "\(head):refs/heads/main"], cwd: fx.source.work)
        let text = try plumb("history")
        #expect(text.status == 0, "\(text.stderr)")
        #expect(!text.stdout.contains("\u{1b}") && !text.stdout.contains("\u{07}"), "no control character reaches the terminal")
        let lines = text.stdout.split(separator: "\n")
        #expect(lines.count == 6)
        #expect(lines[0].contains("caf\u{E9}\u{FF} latin-1"), "bytes that are not UTF-8 are read as git reads them, Latin-1: \(lines[0])")
        #expect(lines[1].contains(String(repeating: "long ", count: 1999)), "a long subject is whole")
        #expect(lines[2].hasSuffix("  (no subject)"), "\(lines[2])")
        #expect(lines[3].hasSuffix("\\e[31mred\\e[0m and a bell\\x07"), "\(lines[3])")
        let all = try json(plumb("history", "--json").stdout) as? [[String: Any]]
        #expect(all?.count == 6, "the JSON document stays valid with every odd message")
    }

    @Test func aLongHistoryStreamsWholeAndInOrder() throws {
        // 5,000 commits on top of the two, made by fast-import: far more than one pipe buffer.
        var stream = "reset refs/heads/main\nfrom \(second)\n"
        for i in 1...5000 {
            let message = "commit number \(i)"
            stream += "commit refs/heads/main\ncommitter Bulk <bulk@example.com> \(1_700_000_000 + i) +0000\ndata \(message.utf8.count)\n\(message)\n"
        }
        let imported = try run("git", ["--git-dir", fx.source.bare, "fast-import", "--quiet"], input: stream)
        try #require(imported.status == 0, "\(imported.stderr)")
        let all = try plumb("history")
        #expect(all.status == 0, "\(all.stderr)")
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 5002)
        #expect(lines.first?.hasSuffix("commit number 5000") == true)
        #expect(lines[4999].hasSuffix("commit number 1"))
        #expect(Set(lines.map { $0.dropFirst(2).prefix(12) }).count == 5002, "no commit cut in two or repeated at a chunk's edge")
        let page = try plumb("history", "-n", "50")
        #expect(page.stdout.split(separator: "\n").count == 50)
    }

    // MARK: rollback

    // These rollbacks delete File/issue, which the fixture's policy (max-deletes: 0) forbids: they
    // give a reason to override it (RollbackPolicyTests has the refusal).
    static let override = ["--override-policy", "the issue file goes"]

    @Test func rollbackIsANewCommitWithTheOldTreeAndTheHeadAsParent() throws {
        let result = try fx.plumb(arguments: ["rollback", String(first.prefix(8)), "--yes"] + Self.override, env: identity)
        #expect(result.status == 0, "\(result.stderr)")
        let commit = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fx.source.head() == commit, "pushed to the source")
        #expect(try git(["--git-dir", fx.source.bare, "rev-parse", "\(commit)^{tree}"]) == git(["--git-dir", fx.source.bare, "rev-parse", "\(first)^{tree}"]))
        #expect(try git(["--git-dir", fx.source.bare, "rev-parse", "\(commit)^1"]) == second, "the parent is the head: history is kept")
        let message = try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B", commit])
        #expect(message.hasPrefix("Roll back to \(first.prefix(12)): first motd"))
        #expect(message.contains("Rollback-of: \(first)"))
        #expect(message.contains("Requested-by: Olga Operator <olga@example.com>"))
        #expect(result.stderr.contains("delete  File/issue") && result.stderr.contains("update  File/motd"), "the plan is shown: \(result.stderr)")
        #expect(try reasons().contains("RollbackCreated"))
        let history = try json(plumb("history", "-n", "1", "--json").stdout) as? [[String: Any]]
        #expect(history?.first?["rollbackOf"] as? String == first)
    }

    @Test func rollbackWhileTheSourceMovedChangesNothing() throws {
        #expect(try plumb("history").status == 0)
        // Someone pushes after plumb read the head (the mirror is not fetched again).
        try fx.source.write("resources/late.yaml", Self.file("late", "etc/late", "late"))
        let moved = try fx.source.commit("pushed meanwhile")
        let result = try fx.plumb(arguments: ["rollback", first, "--yes", "--no-fetch"] + Self.override, env: identity)
        #expect(result.status == 1)
        #expect(result.stderr.contains("main moved") && result.stderr.contains("nothing was changed"), "\(result.stderr)")
        #expect(try fx.source.head() == moved)
        #expect(try !reasons().contains("RollbackCreated"))
    }

    @Test func rollbackAsksWithoutYesAndRefusesWithoutATerminal() throws {
        let result = try fx.plumb(arguments: ["rollback", first] + Self.override, env: identity)
        #expect(result.status == 1)
        #expect(result.stderr.contains("add --yes"), "\(result.stderr)")
        #expect(try fx.source.head() == second)
    }

    @Test func onATerminalRollbackAsksAndOnlyYesGoesAhead() throws {
        // script(1) gives plumb a terminal; what the operator types comes on its input.
        let environment = fx.environment.merging(identity) { _, new in new }
        let command = ([PlumbBinary.path, "rollback", first] + Self.override).map { "'\($0)'" }.joined(separator: " ")
        let refused = try run("/usr/bin/script", ["-qec", command, "/dev/null"], env: environment, input: "n\n")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("Push this rollback to") && refused.stdout.contains("[y/N]"), "\(refused.stdout)")
        #expect(refused.stdout.contains("cancelled; nothing changed"))
        #expect(try fx.source.head() == second)
        let accepted = try run("/usr/bin/script", ["-qec", command, "/dev/null"], env: environment, input: "y\n")
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(try fx.source.head() != second)
    }

    @Test func rollbackNeedsAGitIdentity() throws {
        let result = try fx.plumb(arguments: ["rollback", first, "--yes"], env: ["GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "HOME": fx.state.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no git identity") && result.stderr.contains("git config --global user.name"), "\(result.stderr)")
        #expect(try fx.source.head() == second)
    }

    @Test func rollbackToSomethingNotOnTheBranchIsRefused() throws {
        let elsewhere = try fx.source.propose("side", ["resources/side.yaml": Self.file("side", "etc/side", "side")])
        for revision in [String(elsewhere.prefix(12)), "no-such-rev", "--help"] {
            let result = try plumb("rollback", "--yes", "--", revision)
            #expect(result.status == 1)
            #expect(result.stderr.contains("not a revision of main") || result.stderr.contains("no revision"), "\(revision): \(result.stderr)")
        }
        #expect(try fx.source.head() == second)
    }

    // MARK: proposals and approval

    @Test func proposalsShowMergeabilityPlanAndPolicy() throws {
        try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")], message: "add a new file")
        try fx.source.propose("open-motd", ["resources/motd.yaml": Self.file("motd", "etc/motd", "two", mode: "0666")])
        let result = try plumb("proposals", "--json")
        #expect(result.status == 0, "\(result.stderr)")
        let list = try #require(try json(result.stdout) as? [[String: Any]])
        #expect(list.map { $0["name"] as? String } == ["good", "open-motd"])
        #expect(list[0]["title"] as? String == "add a new file")
        #expect(list[0]["author"] as? String == "Test Author")
        #expect(list[0]["ahead"] as? Int == 1 && list[0]["behind"] as? Int == 0)
        #expect(list[0]["mergeable"] as? String == "clean")
        #expect(list[0]["policy"] as? String == "pass")
        #expect((list[0]["changes"] as? [[String: String]]) == [["id": "File/new", "change": "create"]])
        #expect(list[1]["policy"] as? String == "fail")
        #expect((list[1]["violations"] as? [String])?.first?.hasPrefix("no-world-writable: File/motd: files must not be world-writable") == true)
        #expect(try reasons().filter { $0 == "ProposalOpened" }.count == 2)
        #expect(try reasons().filter { $0 == "PolicyViolation" }.count == 1)
        _ = try plumb("proposals")
        #expect(try reasons().filter { $0 == "ProposalOpened" }.count == 2, "opened once, not once per look")
        #expect(try reasons().filter { $0 == "PolicyViolation" }.count == 1, "journalled once per proposal head")
    }

    @Test func approveMergesPushesAndDeletesTheProposal() throws {
        let head = try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")], message: "add a new file")
        let result = try plumb("approve", "good", "--yes", "--expect", String(head.prefix(10)))
        #expect(result.status == 0, "\(result.stderr)")
        let merge = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fx.source.head() == merge)
        #expect(try git(["--git-dir", fx.source.bare, "rev-list", "--parents", "-n", "1", merge]) == "\(merge) \(second) \(head)", "a merge of head and proposal head")
        let message = try git(["--git-dir", fx.source.bare, "log", "-1", "--format=%B", merge])
        #expect(message.hasPrefix("Approve proposal/good: add a new file"))
        #expect(message.contains("Approved-by: Olga Operator <olga@example.com>"))
        #expect(message.contains("Proposal-head: \(head)"))
        #expect(try fx.source.head("proposal/good") == nil, "the proposal branch is deleted at the source")
        #expect(try reasons().contains("ProposalApproved"))
        let history = try json(plumb("history", "-n", "1", "--json").stdout) as? [[String: Any]]
        #expect(history?.first?["approvedBy"] as? String == "Olga Operator <olga@example.com>")
        #expect(try plumb("sync").status == 0)
        #expect(fx.target.read("etc/new") == "new\n")
    }

    @Test func aConflictingProposalIsRefusedWithNothingChanged() throws {
        try fx.source.propose("clash", from: first, ["resources/motd.yaml": Self.file("motd", "etc/motd", "three")])
        let list = try json(plumb("proposals", "--json").stdout) as? [[String: Any]]
        #expect(list?.first?["mergeable"] as? String == "conflict")
        let result = try plumb("approve", "clash", "--yes")
        #expect(result.status == 1)
        #expect(result.stderr.contains("conflicts in resources/motd.yaml"), "\(result.stderr)")
        #expect(try fx.source.head() == second)
        #expect(try fx.source.head("proposal/clash") != nil)
    }

    @Test func aProposalCannotLoosenThePolicyThatJudgesIt() throws {
        try fx.source.propose("sneaky", [
            "policy.yaml": "rules: []\n",
            "resources/motd.yaml": Self.file("motd", "etc/motd", "two", mode: "0777"),
        ])
        let result = try plumb("approve", "sneaky", "--yes")
        #expect(result.status == 1)
        #expect(result.stderr.contains("no-world-writable: File/motd"), "the head's policy judged it: \(result.stderr)")
        #expect(try fx.source.head() == second)
        #expect(try reasons().contains("PolicyViolation"))
    }

    @Test func aStaleExpectIsRefusedWithNothingChanged() throws {
        let seen = try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")])
        // The author pushes more after the operator reviewed it.
        try git(["checkout", "--quiet", "proposal/good"], cwd: fx.source.work)
        try fx.source.write("resources/more.yaml", Self.file("more", "etc/more", "more"))
        let moved = try fx.source.commit("one more", branch: "proposal/good")
        try git(["checkout", "--quiet", "main"], cwd: fx.source.work)
        let result = try plumb("approve", "proposal/good", "--yes", "--expect", seen)
        #expect(result.status == 1)
        #expect(result.stderr.contains("moved since you reviewed it") && result.stderr.contains("nothing changed"))
        #expect(try fx.source.head() == second)
        #expect(try fx.source.head("proposal/good") == moved)
    }

    @Test func anApprovalWhileTheBranchMovedChangesNothing() throws {
        try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")])
        #expect(try plumb("proposals").status == 0)
        try fx.source.write("resources/late.yaml", Self.file("late", "etc/late", "late"))
        let moved = try fx.source.commit("pushed meanwhile")
        let result = try plumb("approve", "good", "--yes", "--no-fetch")
        #expect(result.status == 1)
        #expect(result.stderr.contains("main moved") && result.stderr.contains("nothing was changed"), "\(result.stderr)")
        #expect(try fx.source.head() == moved)
        #expect(try fx.source.head("proposal/good") != nil, "the proposal is kept")
        #expect(try !reasons().contains("ProposalApproved"))
    }

    @Test func aMaxDeletesRuleCountsThePlan() throws {
        try git(["checkout", "--quiet", "-B", "proposal/tidy", "main"], cwd: fx.source.work)
        try fx.source.remove("resources/issue.yaml")
        try fx.source.commit("remove the issue", branch: "proposal/tidy")
        try git(["checkout", "--quiet", "main"], cwd: fx.source.work)
        let result = try plumb("check", "--proposal", "tidy")
        #expect(result.status == 1)
        #expect(result.stdout.contains("keep-things: deletes 1 resources, more than the 0 allowed"), "\(result.stdout)")
    }

    @Test func rejectDeletesTheBranchAndJournalsWhy() throws {
        try fx.source.propose("meh", ["resources/new.yaml": Self.file("new", "etc/new", "new")])
        let result = try plumb("reject", "meh", "--reason", "not now", "--yes")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try fx.source.head("proposal/meh") == nil)
        #expect(try fx.source.head() == second)
        let events = try plumb("events", "--json").stdout
        #expect(events.contains("ProposalRejected") && events.contains("not now"))
        let again = try plumb("reject", "meh", "--yes")
        #expect(again.status == 1)
        #expect(again.stderr.contains("no proposal meh"))
    }

    // MARK: check

    @Test func checkPassesAndFailsProposalsAndRevisionsForCI() throws {
        try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")])
        let bad = try fx.source.propose("bad", ["resources/broken.yaml": "kind: File\nname: broken\nspec:\n  path: /etc/absolute\n  content: x\n"])
        let pass = try plumb("check", "--proposal", "good")
        #expect(pass.status == 0, "\(pass.stdout)\(pass.stderr)")
        #expect(pass.stdout.hasPrefix("pass: proposal/good"))
        let fail = try plumb("check", "--proposal", "bad")
        #expect(fail.status == 1)
        #expect(fail.stdout.contains("resources/broken.yaml:4:9"), "the reason names the file, line and column: \(fail.stdout)")
        let byRevision = try plumb("check", bad)
        #expect(byRevision.status == 1)
        #expect(try plumb("check").status == 0, "the head passes")
        // A branch the mirror does not hold is fetched from the source by name.
        try git(["push", "--quiet", "origin", "\(bad):refs/heads/ci-branch"], cwd: fx.source.work)
        let fetched = try plumb("check", "ci-branch")
        #expect(fetched.status == 1, "\(fetched.stderr)")
        #expect(fetched.stdout.contains("resources/broken.yaml"))
    }

    @Test func anInvalidPolicyFailsEveryProposalWithItsLine() throws {
        try fx.source.write("policy.yaml", "rules:\n  - name: odd\n    field: spec.colour\n    deny-regex: x\n")
        try fx.source.commit("a policy with a typo")
        try fx.source.propose("good", ["resources/new.yaml": Self.file("new", "etc/new", "new")])
        let result = try plumb("check", "--proposal", "good")
        #expect(result.status == 1)
        #expect(result.stdout.contains("policy: policy.yaml:3:12: unknown field spec.colour"), "\(result.stdout)")
    }
}
