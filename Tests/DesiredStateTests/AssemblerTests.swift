import Foundation
import Testing
import DesiredState
import TestSupport
import VersionSource

/// The checks that need the whole revision, run through `DesiredStateLoader` on a real git mirror:
/// unique ids and paths, `source` that exists, Directory expansion, nesting, plumb.yaml.
@Suite struct AssemblerTests {
    let repo: SourceRepository

    init() throws {
        repo = try SourceRepository()
    }

    /// Commits what the test wrote and loads that revision through a fresh mirror.
    func commitAndLoad(path: String = "") async throws -> DesiredState {
        let sha = try repo.commit("desired state")
        return try await load(sha, path: path)
    }

    func load(_ sha: String, path: String = "") async throws -> DesiredState {
        let mirror = Mirror(source: SourceRef(url: repo.bare, path: path), path: repo.scratch.file("mirror-\(UUID().uuidString).git"))
        try await mirror.create()
        try await mirror.fetch()
        return try await DesiredStateLoader(mirror: mirror, cache: nil).load(revision: sha)
    }

    /// Commits what the test wrote and returns every printed complaint of the invalid revision.
    func commitAndComplaints(path: String = "", sourceLocation: Testing.SourceLocation = #_sourceLocation) async throws -> [String] {
        let sha = try repo.commit("invalid desired state")
        do {
            let state = try await load(sha, path: path)
            Issue.record("revision was accepted with \(state.resources.map(\.id.description))", sourceLocation: sourceLocation)
            return []
        } catch let invalid as InvalidRevision {
            #expect(invalid.revision == sha, sourceLocation: sourceLocation)
            return invalid.diagnostics.map(\.description)
        }
    }

    func file(_ name: String, path: String, content: String = "x") -> String {
        """
        kind: File
        name: \(name)
        spec:
          path: \(path)
          content: "\(content)"

        """
    }

    // MARK: A valid revision

    @Test func validRevisionGivesResourcesSortedByPathWithDefaults() async throws {
        try repo.write("resources/app.yaml", """
            kind: File
            name: conf
            spec:
              path: etc/app/app.conf
              content: "port: 80\\n"
            ---
            kind: Directory
            name: app
            spec:
              path: etc/app
            ---
            kind: Symlink
            name: current
            spec:
              path: srv/current
              target: releases/v1
            """)
        try repo.write("files/key.pem", "secret\n")
        try repo.write("resources/key.yml", """
            kind: File
            name: key
            spec:
              path: etc/app/key.pem
              source: files/key.pem
              mode: "0600"
              sensitive: true
            """)
        try repo.write("resources/README.md", "not a manifest: ignored\n")
        let state = try await commitAndLoad()

        #expect(state.resources.map(\.path) == ["etc/app", "etc/app/app.conf", "etc/app/key.pem", "srv/current"])
        let byID = Dictionary(uniqueKeysWithValues: state.resources.map { ($0.id.description, $0) })
        let content = Array("port: 80\n".utf8)
        #expect(byID["Directory/app"]?.shape == .directory(DirectorySpec(mode: 0o755)))
        #expect(byID["File/conf"]?.shape == .file(blob: BlobHasher.id(of: content), inline: content, mode: 0o644))
        #expect(byID["File/conf"]?.origin.description == "resources/app.yaml:1:1")
        #expect(byID["File/key"]?.shape == .file(blob: try git(["hash-object", repo.work + "/files/key.pem"]), inline: nil, mode: 0o600))
        #expect(byID["File/key"]?.sensitive == true)
        #expect(byID["Symlink/current"]?.shape == .symlink(target: "releases/v1"))
        #expect(state.settings == Settings())
    }

    // MARK: Unique ids and paths

    @Test func duplicateIDAcrossTwoFilesNamesTheFirstLocation() async throws {
        try repo.write("resources/a.yaml", file("conf", path: "etc/a"))
        try repo.write("resources/b.yaml", file("conf", path: "etc/b"))
        #expect(try await commitAndComplaints() == [
            "resources/b.yaml:2:7: File/conf is declared twice (first at resources/a.yaml:2:7)",
        ])
    }

    @Test func sameNameOfAnotherKindIsNotADuplicate() async throws {
        try repo.write("resources/a.yaml", """
            kind: Directory
            name: conf
            spec:
              path: etc
            ---
            \(file("conf", path: "etc/conf"))
            """)
        let state = try await commitAndLoad()
        #expect(state.resources.map(\.id.description) == ["Directory/conf", "File/conf"])
    }

    @Test func duplicatePathNamesTheFirstResourceAndLocation() async throws {
        try repo.write("resources/a.yaml", file("one", path: "etc/x"))
        try repo.write("resources/b.yaml", file("two", path: "./etc//x"))
        #expect(try await commitAndComplaints() == [
            "resources/b.yaml:4:9: path etc/x is already declared by File/one at resources/a.yaml:4:9",
        ])
    }

    @Test func duplicatePathAcrossKinds() async throws {
        try repo.write("resources/a.yaml", """
            kind: Directory
            name: logs
            spec:
              path: var/log
            ---
            kind: Symlink
            name: logs
            spec:
              path: var/log
              target: /tmp
            """)
        #expect(try await commitAndComplaints() == [
            "resources/a.yaml:9:9: path var/log is already declared by Directory/logs at resources/a.yaml:4:9",
        ])
    }

    @Test func revisionWithBrokenYamlIsInvalid() async throws {
        // SPEC: a revision with any invalid document is never applied.
        try repo.write("resources/a.yaml", file("a", path: "a"))
        try repo.write("resources/b.yaml", """
            kind: File
            name: b
            spec:
              path: b: c
              content: x
            """)
        let sha = try repo.commit("broken yaml")
        let error = await #expect(throws: InvalidRevision.self) { try await load(sha) }
        #expect(error?.diagnostics.map(\.description) == [
            "resources/b.yaml:4:10: YAML syntax error: mapping values are not allowed in this context",
        ])
    }

    // MARK: Sources

    @Test func sourceMissingFromTheRevisionPointsAtTheSourceValue() async throws {
        try repo.write("resources/nginx.yaml", """
            kind: File
            name: nginx-conf
            spec:
              path: etc/nginx/nginx.conf
              source: files/nginx.conf
            """)
        #expect(try await commitAndComplaints() == [
            "resources/nginx.yaml:5:11: source files/nginx.conf does not exist in this revision",
        ])
    }

    @Test func fileWhoseSourceIsAFolder() async throws {
        try repo.write("files/conf.d/a.conf", "a\n")
        try repo.write("resources/conf.yaml", """
            kind: File
            name: conf
            spec:
              path: etc/conf
              source: files/conf.d
            """)
        #expect(try await commitAndComplaints() == [
            "resources/conf.yaml:5:11: source files/conf.d is a folder; a File needs a file (use kind: Directory for a folder)",
        ])
    }

    @Test func directoryWhoseSourceIsAFile() async throws {
        try repo.write("files/site.html", "<html>\n")
        try repo.write("resources/site.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/www
              source: files/site.html
            """)
        #expect(try await commitAndComplaints() == [
            "resources/site.yaml:5:11: source files/site.html is a file; a Directory needs a folder",
        ])
    }

    @Test func directorySourceMissing() async throws {
        try repo.write("resources/site.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/www
              source: files/site
            """)
        #expect(try await commitAndComplaints() == [
            "resources/site.yaml:5:11: source files/site does not exist in this revision",
        ])
    }

    @Test func directorySourceExpandsToOneFileResourcePerFileWithModesFromGit() async throws {
        try repo.write("files/site/index.html", "<html>\n")
        try repo.write("files/site/bin/run.sh", "#!/bin/sh\necho hi\n", mode: 0o755)
        try repo.write("files/other.txt", "not in the folder\n")
        try repo.write("resources/site.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/www
              source: files/site
              prune: true
            """)
        let state = try await commitAndLoad()

        #expect(state.resources.map(\.id.description) == ["Directory/site", "File/site/bin/run.sh", "File/site/index.html"])
        #expect(state.resources.map(\.path) == ["srv/www", "srv/www/bin/run.sh", "srv/www/index.html"])
        let (directory, script, index) = (state.resources[0], state.resources[1], state.resources[2])
        #expect(directory.shape == .directory(DirectorySpec(mode: 0o755, prune: true)))
        #expect(directory.owner == nil)
        #expect(script.shape == .file(blob: BlobHasher.id(of: Array("#!/bin/sh\necho hi\n".utf8)), inline: nil, mode: 0o755))
        #expect(index.shape == .file(blob: BlobHasher.id(of: Array("<html>\n".utf8)), inline: nil, mode: 0o644))
        #expect(script.owner?.description == "Directory/site")
        #expect(index.owner?.description == "Directory/site")
        #expect(index.origin.description == "resources/site.yaml:5:11")
        #expect(index.sensitive == false)
    }

    @Test func directorySourceHoldingASymlinkAsksForItsOwnManifest() async throws {
        try repo.write("files/site/index.html", "<html>\n")
        try FileManager.default.createSymbolicLink(atPath: repo.work + "/files/site/latest", withDestinationPath: "index.html")
        try repo.write("resources/site.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/www
              source: files/site
            """)
        #expect(try await commitAndComplaints() == [
            "resources/site.yaml:5:11: files/site/latest is a symlink in git; declare it with its own manifest",
        ])
    }

    @Test func fileWhoseSourceIsASymlinkInGit() async throws {
        try repo.write("files/real.conf", "x\n")
        try FileManager.default.createSymbolicLink(atPath: repo.work + "/files/link.conf", withDestinationPath: "real.conf")
        try repo.write("resources/conf.yaml", """
            kind: File
            name: conf
            spec:
              path: etc/conf
              source: files/link.conf
            """)
        #expect(try await commitAndComplaints() == [
            "resources/conf.yaml:5:11: source files/link.conf is a symlink in git, not a file",
        ])
    }

    @Test func expandedFileCollidingWithADeclaredFile() async throws {
        try repo.write("files/site/index.html", "<html>\n")
        try repo.write("resources/a.yaml", file("index", path: "srv/www/index.html"))
        try repo.write("resources/b.yaml", """
            kind: Directory
            name: site
            spec:
              path: srv/www
              source: files/site
            """)
        #expect(try await commitAndComplaints() == [
            "resources/b.yaml:5:11: path srv/www/index.html is already declared by File/index at resources/a.yaml:4:9",
        ])
    }

    // MARK: Nesting

    @Test func pathUnderAFileIsRefused() async throws {
        try repo.write("resources/a.yaml", file("app", path: "etc/app"))
        try repo.write("resources/b.yaml", file("conf", path: "etc/app/conf"))
        #expect(try await commitAndComplaints() == [
            "resources/b.yaml:1:1: path etc/app/conf lies under File/app, which is a file (declared at resources/a.yaml:1:1)",
        ])
    }

    @Test func pathUnderASymlinkIsRefused() async throws {
        try repo.write("resources/a.yaml", """
            kind: Symlink
            name: current
            spec:
              path: srv/current
              target: releases/v1
            ---
            kind: Directory
            name: logs
            spec:
              path: srv/current/deep/logs
            """)
        #expect(try await commitAndComplaints() == [
            "resources/a.yaml:7:1: path srv/current/deep/logs lies under Symlink/current, which is a symlink (declared at resources/a.yaml:1:1)",
        ])
    }

    // MARK: plumb.yaml

    @Test func settingsAreReadFromPlumbYaml() async throws {
        try repo.write("plumb.yaml", """
            interval: 5m
            autoSync: true
            prune: true
            """)
        let state = try await commitAndLoad()
        #expect(state.settings.interval == .seconds(300))
        #expect(state.settings.autoSync == true)
        #expect(state.settings.prune == true)
    }

    @Test func plumbYamlWithBadDurationAndUnknownField() async throws {
        try repo.write("resources/a.yaml", file("a", path: "a"))
        try repo.write("plumb.yaml", """
            # engine settings
            interval: 10 minutes
            autoSync: true
            colour: blue
            """)
        #expect(try await commitAndComplaints() == [
            "plumb.yaml:4:1: unknown field `colour` in plumb.yaml (expected alerts, autoSync, interval, prune)",
            "plumb.yaml:2:11: bad duration 10 minutes: write a number and a unit, such as 500ms, 30s, 5m or 1h",
        ])
    }

    @Test func plumbYamlWithZeroIntervalAndNonBoolean() async throws {
        try repo.write("plumb.yaml", """
            interval: 0s
            autoSync: yes
            """)
        #expect(try await commitAndComplaints() == [
            "plumb.yaml:1:11: bad duration 0s: write a number and a unit, such as 500ms, 30s, 5m or 1h",
            "plumb.yaml:2:11: `autoSync` must be true or false",
        ])
    }

    @Test func everyProblemOfTheRevisionIsReportedTogether() async throws {
        try repo.write("resources/a.yaml", file("a", path: "/abs"))
        try repo.write("resources/b.yaml", """
            kind: File
            name: b
            spec:
              path: b
              source: files/b
            """)
        try repo.write("plumb.yaml", "interval: soon\n")
        #expect(try await commitAndComplaints() == [
            "resources/a.yaml:4:9: path must be relative to the target, not absolute: /abs",
            "plumb.yaml:1:11: bad duration soon: write a number and a unit, such as 500ms, 30s, 5m or 1h",
            "resources/b.yaml:5:11: source files/b does not exist in this revision",
        ])
    }

    // MARK: A subdirectory as the source root

    @Test func subdirectorySourceReadsOnlyThatFolderWithPathsRelativeToIt() async throws {
        try repo.write("resources/broken.yaml", "kind: [\n")
        try repo.write("deploy/files/app.conf", "port 80\n")
        try repo.write("deploy/resources/app.yaml", """
            kind: File
            name: app
            spec:
              path: etc/app.conf
              source: files/app.conf
            """)
        try repo.write("deploy/plumb.yaml", "interval: 1h\n")
        let state = try await commitAndLoad(path: "deploy")
        #expect(state.resources.map(\.id.description) == ["File/app"])
        #expect(state.resources.first?.shape == .file(blob: BlobHasher.id(of: Array("port 80\n".utf8)), inline: nil, mode: 0o644))
        #expect(state.resources.first?.origin.description == "resources/app.yaml:1:1")
        #expect(state.settings.interval == .seconds(3600))
    }

    @Test func subdirectorySourceReportsFilesRelativeToTheSubdirectory() async throws {
        try repo.write("deploy/resources/app.yaml", """
            kind: File
            name: app
            spec:
              path: etc/app.conf
              source: deploy/files/app.conf
            """)
        try repo.write("deploy/files/app.conf", "port 80\n")
        #expect(try await commitAndComplaints(path: "deploy") == [
            "resources/app.yaml:5:11: source deploy/files/app.conf does not exist in this revision",
        ])
    }

    @Test func missingSubdirectoryIsAGitError() async throws {
        try repo.write("resources/a.yaml", file("a", path: "a"))
        let sha = try repo.commit("no deploy folder")
        let error = await #expect(throws: GitError.self) {
            try await load(sha, path: "deploy")
        }
        #expect(error?.description == "path deploy does not exist in revision \(sha.prefix(12)) of \(repo.bare)")
    }

    // MARK: dependsOn

    @Test func dependsOnAnUndeclaredResourceIsInvalidAtTheId() async throws {
        try repo.write("resources/a.yaml", "kind: File\nname: a\ndependsOn: [File/b, Directory/nope]\nspec: {path: a, content: a}\n---\nkind: File\nname: b\nspec: {path: b, content: b}\n")
        #expect(try await commitAndComplaints() == ["resources/a.yaml:3:21: dependsOn names Directory/nope, which this revision does not declare"])
    }

    @Test func aCycleIsInvalidAndNamesTheLoop() async throws {
        try repo.write("resources/a.yaml", """
            kind: File
            name: a
            dependsOn: [File/b]
            spec: {path: a, content: a}
            ---
            kind: File
            name: b
            dependsOn: [File/c]
            spec: {path: b, content: b}
            ---
            kind: File
            name: c
            dependsOn: [File/a]
            spec: {path: c, content: c}
            """)
        #expect(try await commitAndComplaints() == ["resources/a.yaml:13:13: dependsOn makes a cycle: File/a → File/b → File/c → File/a"])
    }

    @Test func aFileTakesGitsModeOfItsSourceUnlessItSaysOne() async throws {
        try repo.write("files/deploy.sh", "#!/bin/sh\n", mode: 0o755)
        try repo.write("files/motd", "hi\n")
        try repo.write("resources/a.yaml", """
            kind: File
            name: deploy
            spec: {path: bin/deploy, source: files/deploy.sh}
            ---
            kind: File
            name: deploy-private
            spec: {path: bin/deploy-private, source: files/deploy.sh, mode: "0700"}
            ---
            kind: File
            name: motd
            spec: {path: etc/motd, source: files/motd}
            """)
        let state = try await commitAndLoad()
        func mode(_ name: String) -> UInt32? {
            guard case .file(_, _, let mode)? = state.resources.first(where: { $0.id.name == name })?.shape else { return nil }
            return mode
        }
        #expect(mode("deploy") == 0o755 && mode("deploy-private") == 0o700 && mode("motd") == 0o644)
    }

    @Test func dependsOnReachesTheResource() async throws {
        try repo.write("resources/a.yaml", "kind: File\nname: a\ndependsOn: [Directory/d]\nspec: {path: d/a, content: a}\n---\nkind: Directory\nname: d\nspec: {path: d}\n")
        let state = try await commitAndLoad()
        #expect(state.resources.first { $0.id.name == "a" }?.dependsOn == [ResourceID(kind: "Directory", name: "d")])
    }
}

/// Names git holds that a fetch with `fsckObjects` would refuse, reaching the loader anyway (a
/// mirror fetched without the check): the loader refuses them on its own (the hardening issue, item 1).
@Suite struct HostileTreeTests {
    @Test func aDotDotEntryThatReachedTheMirrorStillMakesTheRevisionInvalid() async throws {
        let repo = try SourceRepository()
        let sha = try repo.commitRawTree([
            (Array("resources/evil.yaml".utf8), "kind: Directory\nname: d\nspec:\n  path: d\n  source: files/d\n"),
            (Array("files/d/../../../outside/evil".utf8), "evil\n"),
            (Array("files/d/ok".utf8), "fine\n"),
        ])
        let mirrorPath = repo.scratch.file("unchecked.git")
        let mirror = Mirror(source: SourceRef(url: repo.bare), path: mirrorPath)
        try await mirror.create()
        try git(["--git-dir", mirrorPath, "fetch", "--quiet", repo.bare, "+refs/heads/main:refs/heads/main"])
        do {
            let state = try await DesiredStateLoader(mirror: mirror, cache: nil).load(revision: sha)
            Issue.record("accepted: \(state.resources.map(\.path))")
        } catch let invalid as InvalidRevision {
            let messages = invalid.diagnostics.map(\.description)
            #expect(messages.contains { $0.contains("the name files/d/../../../outside/evil must stay inside the target: `..` is not allowed") }, "\(messages)")
        }
    }
}
