import Foundation
import Testing
import TestSupport

/// SPEC's safety promises, with the real binary: prune only what plumb owns, save what it did not
/// write, never leave the target, never apply an invalid or rewritten revision.
@Suite struct SafetyTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/app.yaml", """
            kind: File
            name: app-conf
            spec:
              path: etc/app.conf
              content: "port = 80\\n"
            ---
            kind: File
            name: old
            spec:
              path: etc/old.conf
              content: "legacy\\n"
            """)
        try fx.source.commit("app")
    }

    func dropOldFromSource() throws {
        try fx.source.write("resources/app.yaml", """
            kind: File
            name: app-conf
            spec:
              path: etc/app.conf
              content: "port = 80\\n"
            """)
        try fx.source.commit("drop old")
    }

    func events(_ reason: String) throws -> [[String: Any]] {
        try fx.journal().filter { $0["reason"] as? String == reason }
    }

    @Test func anExtraIsReportedThenPrunedOnlyWithPrune() throws {
        try fx.plumb("sync")
        try dropOldFromSource()
        let status = try fx.plumb("status")
        #expect(status.status == 2)
        #expect(status.stdout.contains("File/old"))
        #expect(status.stdout.contains("extra"))

        let keep = try fx.plumb("sync")
        #expect(keep.status == 0)
        #expect(keep.stdout.contains("use --prune"))
        #expect(fx.target.exists("etc/old.conf"))

        let prune = try fx.plumb("sync", "--prune")
        #expect(prune.status == 0, "\(prune.stderr)")
        #expect(!fx.target.exists("etc/old.conf"))
        #expect(try events("ResourcePruned").first?["resource"] as? String == "File/old")
        #expect(try fx.plumb("status").status == 0)
    }

    @Test func anExtraChangedSinceItWasAppliedIsNotPruned() throws {
        try fx.plumb("sync")
        try dropOldFromSource()
        try fx.target.write("etc/old.conf", "someone's notes\n")
        let prune = try fx.plumb("sync", "--prune")
        #expect(prune.status == 0)
        #expect(fx.target.read("etc/old.conf") == "someone's notes\n")
        let skipped = try #require(try events("PruneSkipped").first)
        #expect(skipped["resource"] as? String == "File/old")
        #expect(skipped["level"] as? String == "warning")
        #expect((skipped["message"] as? String)?.contains("changed since plumb applied it") == true)
    }

    @Test func aFileInAPruningDirectoryThatPlumbNeverWroteIsKept() throws {
        try fx.source.write("files/site/index.html", "home\n")
        try fx.source.write("resources/site.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/site
              source: files/site
              prune: true
            """)
        try fx.source.commit("site")
        try fx.target.write("srv/site/stranger.txt", "not plumb's\n")
        // The plan says what the sync will do: keep it, and why; nothing counts it as pruned.
        let plan = try fx.plumb("sync", "--dry-run", "--prune")
        #expect(plan.stdout.contains("keep    File/site/stranger.txt  srv/site/stranger.txt (plumb did not apply it"), "\(plan.stdout)")
        #expect(!plan.stdout.split(separator: "\n").contains { $0.hasPrefix("prune") }, "\(plan.stdout)")
        let sync = try fx.plumb("sync")
        #expect(sync.stdout.split(separator: "\n").contains { $0.hasPrefix("kept") && $0.contains("File/site/stranger.txt  plumb did not apply it") },
                "\(sync.stdout)")
        #expect(sync.stdout.contains("1 kept, not safe to prune"), "\(sync.stdout)")
        let succeeded = try #require(try events("SyncSucceeded").last?["message"] as? String)
        #expect(succeeded.contains("0 pruned") && succeeded.contains("1 kept (not safe to prune)"), "\(succeeded)")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(fx.target.read("srv/site/stranger.txt") == "not plumb's\n")
        #expect((try events("PruneSkipped").first?["message"] as? String)?.contains("plumb did not apply it") == true)

        // A file plumb did write there, once dropped from the source, is pruned without --prune.
        try fx.source.write("files/site/about.html", "about\n")
        try fx.source.commit("about")
        try fx.plumb("sync")
        #expect(fx.target.exists("srv/site/about.html"))
        try fx.source.remove("files/site/about.html")
        try fx.source.commit("no about")
        #expect(try fx.plumb("sync").status == 0)
        #expect(!fx.target.exists("srv/site/about.html"))
    }

    @Test func aFolderThatDeclaredFilesStillLieInIsNeverAnExtraThatCannotClear() throws {
        try fx.source.write("files/app/conf/a.conf", "a\n")
        let a = "kind: Directory\nname: app\nspec: {path: app, source: files/app}\n"
        try fx.source.write("resources/app.yaml", a)
        try fx.source.commit("A: app with its tree")
        try fx.source.write("resources/app.yaml", """
            kind: Directory
            name: app
            spec: {path: app}
            ---
            kind: Directory
            name: app-conf
            spec: {path: app/conf, source: files/app/conf}
            """)
        try fx.source.commit("B: app/conf on its own")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/app.yaml", a)
        try fx.source.commit("A again")
        #expect(try fx.plumb("sync", "--prune").status == 0)
        let status = try fx.plumb("status")
        #expect(!status.stdout.contains("Directory/app-conf"), "app/conf holds declared files: it is theirs, not an extra: \(status.stdout)")
        #expect(try events("PruneSkipped").isEmpty, "nothing was kept that can never clear")
        #expect(fx.target.read("app/conf/a.conf") == "a\n")
    }

    @Test func contentPlumbDidNotWriteIsSavedBeforeItIsOverwritten() throws {
        try fx.target.write("etc/app.conf", "port = 8080 # tuned by hand\n")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0)
        #expect(fx.target.read("etc/app.conf") == "port = 80\n")
        let updated = try #require(try events("ResourceUpdated").first { $0["resource"] as? String == "File/app-conf" })
        let message = try #require(updated["message"] as? String)
        let saved = try #require(message.components(separatedBy: "saved at ").last)
        #expect(saved.hasPrefix(fx.state.path + "/state/backups/"))
        #expect(try String(contentsOfFile: saved, encoding: .utf8) == "port = 8080 # tuned by hand\n")

        // What plumb wrote itself is not saved again when a new revision replaces it.
        try fx.source.write("resources/app.yaml", """
            kind: File
            name: app-conf
            spec:
              path: etc/app.conf
              content: "port = 81\\n"
            """)
        try fx.source.commit("port 81")
        try fx.plumb("sync", "--prune")
        let later = try events("ResourceUpdated").filter { ($0["message"] as? String)?.contains("saved at") == true }
        #expect(later.count == 1)
    }

    @Test func twoBackupsOfOnePathAreBothKept() throws {
        try fx.target.write("etc/app.conf", "first hand edit\n")
        try fx.plumb("sync")
        try fx.target.write("etc/app.conf", "second hand edit\n")
        try fx.plumb("sync")
        let saved = try events("ResourceUpdated").compactMap { ($0["message"] as? String)?.components(separatedBy: "saved at ").last }
        #expect(saved.count == 2)
        #expect(Set(saved).count == 2, "each sync saves into a folder of its own")
        #expect(saved.map { try? String(contentsOfFile: $0, encoding: .utf8) } == ["first hand edit\n", "second hand edit\n"])
    }

    @Test func aSensitiveFileStaysHiddenOnceNoLongerDeclared() throws {
        try fx.source.write("resources/secret.yaml", """
            kind: File
            name: token
            spec:
              path: etc/token
              content: "s3cr3t\\n"
              sensitive: true
            """)
        try fx.source.commit("token")
        try fx.plumb("sync")
        try fx.source.remove("resources/secret.yaml")
        try fx.source.commit("drop token")
        let diff = try fx.plumb("diff", "File/token")
        #expect(diff.status == 2)
        #expect(diff.stdout.contains("content hidden: File/token is sensitive"))
        #expect(!diff.stdout.contains("s3cr3t"))
    }

    @Test func aDesiredStateThatWouldDeleteEverythingIsRefused() throws {
        try fx.plumb("sync")
        try fx.source.remove("resources/app.yaml")
        try fx.source.write("resources/.keep", "")
        try fx.source.commit("empty")
        #expect(try fx.plumb("sync").status == 0, "without --prune nothing would be deleted, so nothing is refused")
        #expect(fx.target.exists("etc/app.conf"))
        let refused = try fx.plumb("sync", "--prune")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("declares no resources"))
        #expect(refused.stderr.contains("--allow-empty"))
        #expect(fx.target.exists("etc/app.conf"))
        #expect(try fx.plumb("sync", "--prune", "--allow-empty").status == 0)
        #expect(!fx.target.exists("etc/app.conf"))
    }

    @Test func aSymlinkedParentIsNeverWrittenThrough() throws {
        let outside = try Scratch()
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("etc"), withDestinationPath: outside.path)
        let status = try fx.plumb("status", "--json")
        #expect(status.status == 2)
        #expect(status.stdout.contains("\"sync\" : \"Unknown\""))
        #expect(status.stdout.contains("etc: is a symlink; plumb does not follow symlinks"))
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)
    }

    @Test func aSymlinkAtTheResourcePathIsReplacedNotWrittenThrough() throws {
        let outside = try Scratch()
        try outside.write("passwd", "root:x:0:0\n")
        try FileManager.default.createDirectory(atPath: fx.target.file("etc"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("etc/app.conf"), withDestinationPath: outside.file("passwd"))
        let status = try fx.plumb("status")
        #expect(status.stdout.contains("type differs: a symlink where a file is declared"))
        #expect(try fx.plumb("sync").status == 0)
        #expect(outside.read("passwd") == "root:x:0:0\n")
        #expect(fx.target.read("etc/app.conf") == "port = 80\n")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: fx.target.file("etc/app.conf"))) == nil)
        let saved = try #require(try events("ResourceUpdated").first?["message"] as? String)
        #expect(saved.contains("saved at"), "the link plumb did not make is kept in the backups")
    }

    @Test func anAbsolutePathIsRefused() throws {
        try fx.source.write("resources/abs.yaml", "kind: File\nname: abs\nspec:\n  path: /etc/shadow\n  content: x\n")
        try fx.source.commit("absolute")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("resources/abs.yaml:4:9: path must be relative to the target, not absolute: /etc/shadow"))
    }

    @Test func aManifestThatLeavesTheTargetIsRefusedWhole() throws {
        try fx.source.write("resources/evil.yaml", """
            kind: File
            name: escape
            spec:
              path: ../../etc/passwd
              content: "x"
            """)
        try fx.source.commit("evil")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("resources/evil.yaml:4:9: path must stay inside the target: `..` is not allowed: ../../etc/passwd"))
        #expect(!fx.target.exists("etc/app.conf"), "a revision with any invalid document is never applied")
    }

    @Test func anInvalidRevisionBesideAValidChangeKeepsTheAppliedOne() throws {
        try fx.plumb("sync")
        try fx.source.write("resources/app.yaml", """
            kind: File
            name: app-conf
            spec:
              path: etc/app.conf
              content: "port = 443\\n"
            """)
        try fx.source.write("resources/broken.yaml", """
            kind: File
            name: broken
            spec:
              path: etc/broken
              mode: "0999"
              content: "x"
            """)
        try fx.source.commit("valid change and a broken manifest")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stderr.contains("resources/broken.yaml:5:9: bad mode 0999"))
        #expect(fx.target.read("etc/app.conf") == "port = 80\n")
        let invalid = try #require(try events("ManifestInvalid").first)
        #expect((invalid["message"] as? String)?.hasPrefix("resources/broken.yaml:5:9:") == true)
        // status still shows the target, against the applied revision, and says why.
        try fx.target.write("etc/app.conf", "hand edit\n")
        let status = try fx.plumb("status")
        #expect(status.status == 1)
        #expect(status.stdout.contains("is invalid: compared with the applied revision"))
        #expect(status.stdout.contains("File/app-conf"))
        #expect(status.stderr.contains("resources/broken.yaml:5:9: bad mode 0999"))
        // Only the first revision was ever applied.
        #expect(try events("SyncSucceeded").count == 1)
    }

    @Test func aRewrittenHistoryWaitsForAnOperator() throws {
        try fx.plumb("sync")
        try git(["commit", "--quiet", "--amend", "-m", "rewritten"], cwd: fx.source.work)
        try git(["push", "--quiet", "--force", "origin", "HEAD:refs/heads/main"], cwd: fx.source.work)
        let refused = try fx.plumb("sync")
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("does not descend from the applied revision"))
        #expect(try events("HistoryRewritten").count == 1)
        let accepted = try fx.plumb("sync", "--accept-rewrite")
        #expect(accepted.status == 0, "\(accepted.stderr)")
    }
}
