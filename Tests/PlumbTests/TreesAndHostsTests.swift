import Foundation
import Testing
import TestSupport

/// Real trees and real hosts with the real binary, real git and real files: a home directory as
/// one Directory at the target root, `ignore` on both sides, `purge` that saves before it
/// deletes, `owner`/`group` with real chown (as root), templates with values per host,
/// `hosts:` selection and `--host`, and shared content under `--path`.
@Suite struct TreesAndHostsTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
    }

    func output(_ result: ProcessResult) -> String { result.stdout + result.stderr }

    // MARK: A home directory in one document

    func declareHome(purge: Bool = false) throws {
        try fx.source.write("files/home/.bashrc", "alias ll='ls -l'\n")
        try fx.source.write("files/home/bin/hello", "#!/bin/sh\necho hello\n", mode: 0o755)
        try fx.source.write("files/home/README.md", "how to use these dotfiles\n")
        try fx.source.write("resources/home.yaml", """
            kind: Directory
            name: home
            spec:
              path: .
              source: files/home
              ignore: ["*.swp", ".cache/", "/README.md", "!keep.swp"]
              purge: \(purge)
            """)
        try fx.source.commit("home")
    }

    @Test func aHomeDirectoryIsOneDocumentAndIgnoredFilesAreNeitherDeployedNorExtra() throws {
        try fx.target.write(".vimrc.swp", "vim swap\n")
        try fx.target.write(".cache/thumbs/a", "cache\n")
        try fx.target.write("notes.txt", "my notes\n")
        try fx.target.write("keep.swp", "re-included by !keep.swp\n")
        chmod(fx.target.path, 0o700)
        try declareHome()
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(output(sync))")
        #expect(fx.target.read(".bashrc") == "alias ll='ls -l'\n")
        #expect(fx.target.mode("bin/hello") == 0o755, "git's executable bit")
        #expect(!fx.target.exists("README.md"), "ignored in the source: not deployed")
        #expect(fx.target.mode("") == 0o700, "the root keeps its own mode when none is declared")
        let status = try fx.plumb("status")
        #expect(status.stdout.contains("File/home/notes.txt"), "\(status.stdout)")
        #expect(status.stdout.contains("File/home/keep.swp"), "a negated pattern re-includes: \(status.stdout)")
        #expect(!status.stdout.contains(".vimrc.swp") && !status.stdout.contains(".cache"), "ignored in the target: not extra: \(status.stdout)")
        let detail = try fx.plumb("diff", "Directory/home")
        #expect(detail.stdout.contains("ignore: *.swp, .cache/, /README.md, !keep.swp (1 file(s) of the source and 2 name(s) in the target ignored)"), "\(detail.stdout)")
        #expect(detail.stdout.contains("mode: the target root's own"), "\(detail.stdout)")
        #expect(try fx.resource("Directory/home")?["path"] as? String == ".")
    }

    @Test func purgeListsWhatItWillDeleteSavesEachFileThenDeletesIt() throws {
        try fx.target.write(".vimrc.swp", "vim swap\n")
        try fx.target.write("conf.d/debug.conf", "debug on\n")
        try declareHome(purge: true)
        let plan = try fx.plumb("sync", "--dry-run")
        #expect(plan.stdout.contains("purge") && plan.stdout.contains("conf.d/debug.conf"), "\(plan.stdout)")
        #expect(fx.target.exists("conf.d/debug.conf"), "a dry run deletes nothing")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(output(sync))")
        #expect(!fx.target.exists("conf.d/debug.conf"))
        #expect(fx.target.read(".vimrc.swp") == "vim swap\n", "ignored files are never purged")
        let purged = try #require(try fx.messages(of: "ResourcePurged").first)
        let saved = try #require(purged.components(separatedBy: "saved at ").last)
        #expect(try String(contentsOfFile: saved, encoding: .utf8) == "debug on\n", "\(purged)")
        #expect(try fx.plumb("status").status == 0, "nothing left to do")
    }

    @Test func purgeRefusesToEmptyAFolderThatDeclaresNothing() throws {
        try fx.target.write("etc/app/a.conf", "a\n")
        try fx.target.write("etc/app/b.conf", "b\n")
        try fx.source.write("resources/app.yaml", "kind: Directory\nname: app\nspec: {path: etc/app, purge: true}\n")
        try fx.source.commit("purge, nothing declared")
        let sync = try fx.plumb("sync")
        #expect(sync.status != 0)
        #expect(output(sync).contains("Directory/app declares no file, and purge would delete all 2 file(s) in it. Run with --allow-empty"), "\(output(sync))")
        #expect(fx.target.exists("etc/app/a.conf") && fx.target.exists("etc/app/b.conf"))
        #expect(try fx.plumb("sync", "--allow-empty").status == 0)
        #expect(!fx.target.exists("etc/app/a.conf"))
    }

    // MARK: Owner and group

    @Test(.enabled(if: getuid() == 0, "chown needs root")) func ownerAndGroupAreAppliedComparedAndAnUnknownNameIsUnknown() throws {
        try fx.source.write("resources/www.yaml", """
            kind: Directory
            name: www
            spec: {path: srv/www, owner: nobody, group: nogroup}
            ---
            kind: File
            name: index
            spec: {path: srv/www/index.html, content: "hi\\n", owner: "65534", group: nogroup}
            """)
        try fx.source.commit("owned")
        #expect(try fx.plumb("sync").status == 0)
        var info = stat()
        #expect(stat(fx.target.file("srv/www/index.html"), &info) == 0 && info.st_uid == 65534 && info.st_gid == 65534)
        #expect(stat(fx.target.file("srv/www"), &info) == 0 && info.st_uid == 65534)
        chown(fx.target.file("srv/www/index.html"), 0, 0)
        let row = try #require(try fx.resource("File/index"))
        #expect(row["drift"] as? String == "modified")
        #expect((row["message"] as? String)?.contains("owner differs: root (0), declared nobody (65534)") == true, "\(row)")
        #expect(try fx.plumb("sync").status == 0)
        #expect(stat(fx.target.file("srv/www/index.html"), &info) == 0 && info.st_uid == 65534)

        try fx.source.write("resources/www.yaml", "kind: File\nname: index\nspec: {path: srv/www/index.html, content: \"hi\\n\", owner: no-such-user}\n")
        try fx.source.commit("unknown user")
        let unknown = try #require(try fx.resource("File/index"))
        #expect(unknown["sync"] as? String == "Unknown")
        #expect(unknown["message"] as? String == "owner no-such-user: no such user on this machine")
    }

    @Test(.enabled(if: getuid() == 0, "chown needs root")) func chownNeverFollowsASymlink() throws {
        try fx.target.write("outside", "not plumb's\n")
        try fx.source.write("resources/link.yaml", "kind: Symlink\nname: l\nspec: {path: l, target: outside, owner: nobody}\n")
        try fx.source.commit("owned link")
        #expect(try fx.plumb("sync").status == 0)
        var info = stat()
        #expect(lstat(fx.target.file("l"), &info) == 0 && info.st_uid == 65534, "the link itself")
        #expect(stat(fx.target.file("outside"), &info) == 0 && info.st_uid == 0, "not what it points to")
    }

    // MARK: Templates and hosts

    func declareTemplate(_ text: String) throws {
        try fx.source.write("vars/common.yaml", "listen: 8080\ntls: false\n")
        try fx.source.write("hosts/web1.yaml", "listen: 9090\ntls: true\n")
        try fx.source.write("files/site.conf", text)
        try fx.source.write("resources/site.yaml", "kind: File\nname: site\nspec: {path: etc/site.conf, source: files/site.conf, template: true}\n")
        try fx.source.commit("template")
    }

    @Test func aTemplateTakesVarsThenTheHostsFileThenFacts() throws {
        try declareTemplate("server {{host.name}}:{{listen}} rev {{plumb.revision}}{{#tls}} tls & more{{/tls}}\n")
        let head = try #require(try fx.source.head())
        #expect(try fx.plumb("sync", env: ["PLUMB_HOST": "web1"]).status == 0)
        #expect(fx.target.read("etc/site.conf") == "server web1:9090 rev \(head) tls & more\n", "no HTML escaping")
        let other = try fx.plumb("status", "--host", "db1", "--no-fetch")
        #expect(other.stdout.contains("host      db1: a preview of that host's desired state"), "\(other.stdout)")
        #expect(other.stdout.contains("File/site"), "db1 renders other content: \(other.stdout)")
        let json = try JSONSerialization.jsonObject(with: Data(try fx.plumb("status", "--json", "--host", "db1", "--no-fetch").stdout.utf8)) as? [String: Any]
        #expect(json?["host"] as? String == "db1" && json?["hostPreview"] as? Bool == true)
    }

    @Test func anUndefinedNameIsAnErrorAtItsLineAndColumnOnEveryHost() throws {
        try declareTemplate("listen {{listen}}\n  name {{hostname}}\n")
        let check = try fx.plumb("check", env: ["PLUMB_HOST": "web1"])
        #expect(check.status == 1)
        #expect(output(check).contains("files/site.conf:2:8: {{hostname}}: no value defines hostname"), "\(output(check))")
        // Defined for web1 only: web1 passes, and check still fails for the host whose file lacks it.
        try fx.source.write("hosts/web1.yaml", "listen: 9090\nhostname: w1\n")
        try fx.source.write("hosts/db1.yaml", "listen: 5432\n")
        try fx.source.commit("web1 defines it")
        let both = try fx.plumb("check", env: ["PLUMB_HOST": "web1"])
        #expect(both.status == 1)
        #expect(output(both).contains("host db1: files/site.conf:2:8: {{hostname}}: no value defines hostname"), "\(output(both))")
        #expect(!output(both).contains("host web1"), "\(output(both))")
        // A problem of this host's own desired state is not said again for each other host.
        try fx.source.write("resources/broken.yaml", "kind: File\nname: b\nspec: {path: b, content: x, colour: red}\n")
        try fx.source.commit("broken for every host")
        let once = output(try fx.plumb("check", env: ["PLUMB_HOST": "web1"]))
        #expect(once.components(separatedBy: "unknown field `colour`").count == 2, "\(once)")
    }

    @Test func hostsGlobsPickTheDocumentsOfAHost() throws {
        try fx.source.write("resources/web.yaml", "kind: File\nname: nginx\nhosts: [\"web*\"]\nspec: {path: etc/nginx.conf, content: \"n\\n\"}\n")
        try fx.source.write("resources/all.yaml", "kind: File\nname: motd\nspec: {path: etc/motd, content: \"m\\n\"}\n")
        try fx.source.commit("hosts")
        #expect(try fx.plumb("sync", "--host", "db1").status == 0)
        #expect(fx.target.exists("etc/motd") && !fx.target.exists("etc/nginx.conf"))
        #expect(try fx.plumb("sync", "--host", "web2").status == 0)
        #expect(fx.target.exists("etc/nginx.conf"))
        let bad = try fx.plumb("status", "--host", "../etc")
        #expect(bad.status != 0 && output(bad).contains("bad host name ../etc"), "\(output(bad))")
    }

    @Test func aPreviewOfAnotherHostNeverMixesItsCachesWithThisHosts() throws {
        // One revision, as many resources on each host, at different paths with different content.
        try fx.source.write("resources/web.yaml", "kind: File\nname: role\nhosts: [\"web*\"]\nspec: {path: etc/web-role, content: \"web\\n\"}\n")
        try fx.source.write("resources/db.yaml", "kind: File\nname: role\nhosts: [\"db*\"]\nspec: {path: etc/web-role, content: \"db\\n\"}\n")
        try fx.source.commit("a role per host")
        #expect(try fx.plumb("sync", "--host", "web1").status == 0)
        let preview = try #require(try fx.resource("File/role", env: ["PLUMB_HOST": "db1"]))
        #expect(preview["drift"] as? String == "modified", "db1 wants other content at the same path: \(preview)")
        #expect(try fx.plumb("status", "--host", "web1").status == 0, "web1 is still Synced after the preview")
        #expect(try fx.resource("File/role", env: ["PLUMB_HOST": "db1"])?["drift"] as? String == "modified")
    }

    // MARK: Shared content under --path

    @Test func aSubdirectoryReadsSharedContentFromTheRootAndDotDotSaysWhatToWrite() throws {
        try fx.source.write("shared/motd", "welcome\n")
        try fx.source.write("sites/web/resources/motd.yaml", "kind: File\nname: motd\nspec: {path: etc/motd, source: /shared/motd}\n")
        try fx.source.commit("shared")
        #expect(try fx.plumb("sync", "--path", "sites/web").status == 0)
        #expect(fx.target.read("etc/motd") == "welcome\n")
        try fx.source.write("sites/web/resources/motd.yaml", "kind: File\nname: motd\nspec: {path: etc/motd, source: ../../shared/motd}\n")
        try fx.source.commit("dot dot")
        let check = try fx.plumb("check", "--path", "sites/web")
        #expect(check.status == 1)
        #expect(output(check).contains("resources/motd.yaml:3:32: source ../../shared/motd leaves the subdirectory sites/web (--path); content shared between subdirectories is read from the repository root: write source: /shared/motd"), "\(output(check))")
    }
}
