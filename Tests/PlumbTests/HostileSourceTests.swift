import Foundation
import Testing
import TestSupport

/// A hostile git server (the hardening issue, items 1, 2, 11 and 12): names git holds that would
/// leave the target, drive a terminal or not be UTF-8, with the real binary and real git.
@Suite struct HostileSourceTests {
    let fx: PlumbFixture
    let outside: Scratch

    init() throws {
        fx = try PlumbFixture()
        outside = try Scratch()
    }

    static let site = Array("resources/site.yaml".utf8)
    static let siteManifest = "kind: Directory\nname: site\nspec:\n  path: site\n  source: files/site\n"

    /// Item 1: `files/d/../../../outside/evil`, built with `git mktree`. The fetch refuses it
    /// (fsckObjects): nothing outside is created, and git's reason reaches the operator.
    @Test func aTreeEntryNamedDotDotIsRefusedAtTheFetch() throws {
        try fx.source.write(".keep", "x\n")
        try fx.source.commit("start")
        try fx.source.commitRawTree([
            (Array("resources/evil.yaml".utf8), "kind: Directory\nname: d\nspec:\n  path: d\n  source: files/d\n"),
            (Array("files/d/../../../outside/evil".utf8), "evil\n"),
        ])
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("fetching"), "\(sync.stderr)")
        #expect(sync.stderr.contains("hasDotdot: contains '..'"), "\(sync.stderr)")
        #expect(!FileManager.default.fileExists(atPath: (fx.target.path as NSString).deletingLastPathComponent + "/outside"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.target.path).isEmpty)
    }

    /// Item 2: names with an escape sequence or bytes that are not UTF-8 make the revision
    /// invalid; nothing is written under another name, and no raw escape reaches the terminal.
    @Test func namesThatAreNotPlainMakeTheRevisionInvalid() throws {
        try fx.source.commitRawTree([
            (Self.site, Self.siteManifest),
            (Array("files/site/index.html".utf8), "home\n"),
            (Array("files/site/caf".utf8) + [0xE9] + Array(".html".utf8), "latin-1\n"),
            (Array("files/site/x\u{1B}]0;pwned\u{07}.html".utf8), "title\n"),
            (Array("files/site/csi\u{9B}2J.html".utf8), "c1\n"),
        ])
        for command in ["sync", "status", "diff"] {
            let run = try fx.plumb(command)
            #expect(run.status == 1, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("files/site/caf\\xe9.html is not valid UTF-8"), "\(command): \(run.stderr)")
            #expect(run.stderr.contains("files/site/x\\e]0;pwned\\x07.html contains a control character"), "\(command): \(run.stderr)")
            #expect(run.stderr.contains("files/site/csi\\u{9b}2J.html contains a control character"), "\(command): \(run.stderr)")
            #expect(!(run.stdout + run.stderr).unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x07 })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.target.path).isEmpty, "an invalid revision is never applied, in whole")
        #expect(try fx.messages(of: "ManifestInvalid").contains { $0.contains("not valid UTF-8") })
    }

    /// Item 2, the other half: two names that would both decode to `caf\u{FFFD}.html` are not
    /// "declared twice at the same place": each is refused for what it is.
    @Test func twoBadNamesAreNotADuplicate() throws {
        try fx.source.commitRawTree([
            (Self.site, Self.siteManifest),
            (Array("files/site/caf".utf8) + [0xE9] + Array(".html".utf8), "one\n"),
            (Array("files/site/caf".utf8) + [0xEF] + Array(".html".utf8), "two\n"),
        ])
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(!sync.stderr.contains("already declared"), "\(sync.stderr)")
        #expect(sync.stderr.contains("caf\\xe9.html is not valid UTF-8"))
        #expect(sync.stderr.contains("caf\\xef.html is not valid UTF-8"))
    }

    /// Item 11: an invalid manifest whose file name sets the terminal's title is named escaped.
    @Test func aManifestFileNameCannotDriveTheTerminal() throws {
        try fx.source.commitRawTree([(Array("resources/x\u{1B}]0;pwned\u{07}.yaml".utf8), "kind: Nope\nname: x\nspec: {}\n")])
        for command in ["status", "sync", "diff", "check"] {
            let run = try fx.plumb(command)
            let printed = run.stdout + run.stderr
            #expect(run.status == 1, "\(command)")
            #expect(printed.contains("resources/x\\e]0;pwned\\x07.yaml:1:7: unknown kind"), "\(command): \(printed)")
            #expect(!printed.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 }, "\(command)")
        }
    }

    /// Item 12: a hostile server's error packet (`ERR` pkt-line) with C1 and bidirectional
    /// characters reaches the operator escaped, in every command that fetches.
    @Test func aServersErrorIsEscaped() throws {
        let fakeGit = fx.state.file("git-with-err")
        try """
            #!/bin/sh
            for arg; do [ "$arg" = fetch ] && { printf 'fatal: remote error: access denied \\302\\233 2J \\342\\200\\256 lol\\n' >&2; exit 128; }; done
            exec git "$@"
            """.write(toFile: fakeGit, atomically: true, encoding: .utf8)
        chmod(fakeGit, 0o755)
        for command in ["status", "sync", "history", "proposals"] {
            let run = try fx.plumb(command, env: ["PLUMB_GIT": fakeGit])
            #expect(run.status == 1, "\(command)")
            #expect(run.stderr.contains("access denied \\u{9b} 2J \\u{202e} lol"), "\(command): \(run.stderr)")
            #expect(!run.stderr.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E }, "\(command)")
        }
    }

    /// Item 12: raw U+202E never reaches a terminal through `--json` either (JSON carries it as `\u202e`).
    @Test func jsonCarriesBidirectionalOverridesEscaped() throws {
        try fx.source.write("resources/x.yaml", "kind: Directory\nname: site\nspec:\n  path: site\n  source: files/site\n")
        try fx.source.write("files/site/index.html", "home\n")
        try fx.source.commit("subject with \u{202E}override and \u{9B}c1")
        try fx.plumb("sync")
        try fx.target.write("site/evil\u{202E}lmth.exe", "stranger\n")
        try fx.source.propose("name\u{202E}rlo", ["files/p": "p\n"], message: "proposal \u{202E}title")
        for arguments in [["status", "--json"], ["history", "--json"], ["proposals", "--json"], ["events", "--json"]] {
            let run = try fx.plumb(arguments: arguments)
            #expect(run.status == 0 || run.status == 2, "\(arguments): \(run.stderr)")
            #expect(!run.stdout.unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x9B }, "\(arguments)")
        }
        #expect(try fx.plumb("history", "--json").stdout.contains("\\u202e"))
    }

    /// Item 12: a proposal name with C1 and bidirectional characters, in the errors of approve and reject.
    @Test func proposalNamesInErrorsAreEscaped() throws {
        try fx.source.write("resources/x.yaml", "kind: File\nname: x\nspec:\n  path: etc/x\n  content: x\n")
        try fx.source.commit("start")
        for command in ["approve", "reject"] {
            let run = try fx.plumb(arguments: [command, "no\u{9B}such\u{202E}one", "--yes"])
            #expect(run.status == 1)
            #expect(!run.stderr.unicodeScalars.contains { $0.value == 0x9B || $0.value == 0x202E }, "\(command): \(run.stderr)")
            #expect(run.stderr.contains("no\\u{9b}such\\u{202e}one"), "\(command): \(run.stderr)")
        }
    }
}
