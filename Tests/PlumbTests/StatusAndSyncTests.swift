import Foundation
import Testing
import TestSupport

/// The real binary on real repositories: drift of each kind, status words, sync, diff.
@Suite struct StatusAndSyncTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("files/motd", "welcome\n")
        try fx.source.write("files/web/index.html", "<h1>hi</h1>\n")
        try fx.source.write("resources/base.yaml", """
            kind: File
            name: motd
            spec:
              path: etc/motd
              source: files/motd
            ---
            kind: File
            name: secret
            spec:
              path: etc/secret
              content: "hunter2\\n"
              mode: "0600"
              sensitive: true
            ---
            kind: Directory
            name: web
            spec:
              path: srv/web
              source: files/web
            ---
            kind: Symlink
            name: current
            spec:
              path: srv/current
              target: web
            """)
        try fx.source.commit("first")
    }

    func statusJSON() throws -> [String: Any] {
        let result = try fx.plumb("status", "--json")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
    }

    func resource(_ id: String, in json: [String: Any]) throws -> [String: Any] {
        let resources = try #require(json["resources"] as? [[String: Any]])
        return try #require(resources.first { $0["id"] as? String == id })
    }

    @Test func anEmptyTargetIsMissingEverythingAndSyncFillsIt() throws {
        let before = try fx.plumb("status")
        #expect(before.status == 2)
        #expect(before.stdout.contains("File/motd"))
        #expect(before.stdout.contains("missing"))
        #expect(before.stdout.contains("0 Synced, 5 OutOfSync, 0 Unknown"))

        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(fx.target.read("etc/motd") == "welcome\n")
        #expect(fx.target.read("srv/web/index.html") == "<h1>hi</h1>\n")
        #expect(fx.target.mode("etc/secret") == 0o600)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fx.target.file("srv/current")) == "web")

        let after = try fx.plumb("status")
        #expect(after.status == 0, "\(after.stdout)")
        #expect(after.stdout.contains("5 Synced, 0 OutOfSync, 0 Unknown"))
    }

    @Test func statusJSONHasTheShapeSpecFixes() throws {
        try fx.plumb("sync")
        try fx.target.write("etc/motd", "hand edit\n")
        let json = try statusJSON()
        let head = try git(["rev-parse", "HEAD"], cwd: fx.source.work)
        #expect(json["revision"] as? String == head)
        #expect(json["branch"] as? String == "main")
        #expect(json["target"] as? String == fx.target.path)
        let summary = try #require(json["summary"] as? [String: Int])
        #expect(summary == ["synced": 4, "outOfSync": 1, "unknown": 0])
        let motd = try resource("File/motd", in: json)
        #expect(motd["kind"] as? String == "File")
        #expect(motd["name"] as? String == "motd")
        #expect(motd["path"] as? String == "etc/motd")
        #expect(motd["sync"] as? String == "OutOfSync")
        #expect(motd["drift"] as? String == "modified")
        #expect(motd["health"] as? String == "Healthy")
        #expect(motd["message"] as? String == "content differs")
        let synced = try resource("File/secret", in: json)
        #expect(synced["drift"] is NSNull)
        #expect(synced["message"] is NSNull)
    }

    @Test func driftOfEveryKindIsNamedAndHealed() throws {
        try fx.plumb("sync")
        // modified content and mode, missing, a changed link, and an extra applied earlier.
        try fx.target.write("etc/motd", "hand edit\n")
        chmod(fx.target.file("etc/secret"), 0o644)
        try FileManager.default.removeItem(atPath: fx.target.file("srv/web/index.html"))
        try FileManager.default.removeItem(atPath: fx.target.file("srv/current"))
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("srv/current"), withDestinationPath: "elsewhere")
        let json = try statusJSON()
        #expect(try resource("File/motd", in: json)["message"] as? String == "content differs")
        #expect(try resource("File/secret", in: json)["message"] as? String == "mode differs: 0644, declared 0600")
        #expect(try resource("File/web/index.html", in: json)["drift"] as? String == "missing")
        #expect(try resource("File/web/index.html", in: json)["health"] as? String == "Missing")
        #expect(try resource("Symlink/current", in: json)["message"] as? String == "link target differs: elsewhere, declared web")

        #expect(try fx.plumb("sync").status == 0)
        #expect(try fx.plumb("status").status == 0)
        #expect(fx.target.read("etc/motd") == "welcome\n")
        #expect(fx.target.mode("etc/secret") == 0o600)
    }

    @Test func diffShowsActualAgainstDesiredAndHidesSensitiveContent() throws {
        try fx.plumb("sync")
        try fx.target.write("etc/motd", "hand edit\n")
        try fx.target.write("etc/secret", "leaked\n", mode: 0o600)
        let diff = try fx.plumb("diff")
        #expect(diff.status == 2)
        #expect(diff.stdout.contains("--- actual/etc/motd\n+++ desired/etc/motd\n@@ -1,1 +1,1 @@\n-hand edit\n+welcome"), "+ is what a sync writes: \(diff.stdout)")
        #expect(diff.stdout.contains("content hidden: File/secret is sensitive"))
        #expect(!diff.stdout.contains("hunter2"))
        #expect(!diff.stdout.contains("leaked"))

        let one = try fx.plumb("diff", "File/motd")
        #expect(one.status == 2)
        #expect(!one.stdout.contains("File/secret"))

        try fx.plumb("sync")
        let clean = try fx.plumb("diff")
        #expect(clean.status == 0)
        #expect(clean.stdout.isEmpty)
    }

    @Test func controlCharactersInContentNeverReachTheTerminal() throws {
        try fx.plumb("sync")
        try fx.target.write("etc/motd", "evil \u{1B}[2J\u{07} line\n")
        let diff = try fx.plumb("diff", "File/motd")
        #expect(!diff.stdout.contains("\u{1B}"))
        #expect(diff.stdout.contains("-evil \\e[2J\\x07 line"))
    }

    @Test func syncOfOneResourceTouchesOnlyIt() throws {
        let sync = try fx.plumb("sync", "File/motd")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(fx.target.exists("etc/motd"))
        #expect(!fx.target.exists("etc/secret"))
        let unknown = try fx.plumb("sync", "File/nope")
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("no resource File/nope"))
    }

    @Test func dryRunPrintsThePlanAndChangesNothing() throws {
        let dry = try fx.plumb("sync", "--dry-run")
        #expect(dry.status == 0)
        #expect(dry.stdout.contains("create  File/motd"))
        #expect(dry.stdout.contains("nothing applied (dry run)"))
        #expect(!fx.target.exists("etc"))
    }

    @Test func aNewRevisionIsFollowed() throws {
        try fx.plumb("sync")
        try fx.source.write("files/motd", "welcome, second edition\n")
        let second = try fx.source.commit("second")
        #expect(try fx.plumb("status").status == 2)
        #expect(try fx.plumb("sync").status == 0)
        #expect(fx.target.read("etc/motd") == "welcome, second edition\n")
        let events = try fx.plumb("events", "--json")
        #expect(events.stdout.contains("\"reason\":\"NewRevision\",\"resource\":null,\"revision\":\"\(second)\""))
    }

    @Test func aFileNoLongerDeclaredInAnUnchangedFolderIsFound() throws {
        // b.html is declared and on disk (put there by hand, so not in plumb's inventory).
        try fx.source.write("files/web/b.html", "b\n")
        try fx.source.commit("b")
        try fx.target.write("srv/web/b.html", "b\n")
        #expect(try fx.plumb("status").status == 2)
        // The folder is listed and remembered as clean; its times are moved an hour back, out of
        // the racy window, so a later status trusts the memory.
        age(fx.target.file("srv/web"))
        try fx.plumb("status")
        // A new revision no longer declares b.html: the folder did not change, but b.html is now extra.
        try fx.source.remove("files/web/b.html")
        try fx.source.commit("no b")
        let json = try statusJSON()
        #expect(try resource("File/web/b.html", in: json)["drift"] as? String == "extra")
    }

    @Test func noFetchReadsTheMirrorAsLastFetched() throws {
        try fx.plumb("sync")
        try fx.source.write("files/motd", "not fetched yet\n")
        try fx.source.commit("second")
        #expect(try fx.plumb("status", "--no-fetch").status == 0)
        #expect(try fx.plumb("status").status == 2)
    }
}
