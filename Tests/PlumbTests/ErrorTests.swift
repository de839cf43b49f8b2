import Foundation
import Testing
import TestSupport

/// Every failure is one clear sentence on stderr and exit status 1.
@Suite struct ErrorTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/a.yaml", "kind: File\nname: a\nspec:\n  path: a\n  content: a\n")
        try fx.source.commit("a")
    }

    func expectOneSentence(_ result: ProcessResult, containing text: String) {
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("plumb: "))
        #expect(result.stderr.contains(text), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    @Test func aPushThatGitRefusesSaysGitsReasonAndWhatToDo() throws {
        // A work tree with main checked out as the source, as `plumb init` makes one.
        let site = try Scratch()
        try git(["init", "--quiet", "--initial-branch", "main", site.path])
        try site.write("resources/a.yaml", "kind: File\nname: a\nspec: {path: a, content: one}\n")
        try git(["add", "-A"], cwd: site.path)
        try git(["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "-m", "one"], cwd: site.path)
        let first = try git(["rev-parse", "HEAD"], cwd: site.path)
        try site.write("resources/a.yaml", "kind: File\nname: a\nspec: {path: a, content: two}\n")
        try git(["-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "--quiet", "-am", "two"], cwd: site.path)
        let env = try fx.operatorIdentity().merging(["PLUMB_REPO": site.path]) { _, new in new }
        #expect(try fx.plumb(arguments: ["sync"], env: env).status == 0)
        let rollback = try fx.plumb(arguments: ["rollback", first, "--yes"], env: env)
        #expect(rollback.status == 1)
        #expect(rollback.stderr.contains("remote: error: refusing to update checked out branch: refs/heads/main"), "git's own reason: \(rollback.stderr)")
        #expect(rollback.stderr.contains("[remote rejected] (branch is currently checked out)"), "\(rollback.stderr)")
        #expect(rollback.stderr.contains("make a bare repository to be the source (git clone --bare"), "what to do: \(rollback.stderr)")
    }

    @Test func aSourceWithNoCommitsSaysSo() throws {
        let empty = try Scratch()
        try git(["init", "--quiet", "--bare", "--initial-branch", "main", empty.path + "/empty.git"])
        for command in [["status"], ["history"], ["sync"]] {
            expectOneSentence(try fx.plumb(arguments: command, env: ["PLUMB_REPO": empty.path + "/empty.git"]),
                              containing: "\(empty.path)/empty.git has no commits yet: push a first commit to main")
        }
        let other = try fx.plumb(arguments: ["status", "--branch", "nope"])
        expectOneSentence(other, containing: "branch nope was not found at \(fx.source.bare)")
    }

    @Test func gitMissing() throws {
        expectOneSentence(try fx.plumb("status", env: ["PLUMB_GIT": "/nonexistent/git"]), containing: "git was not found")
    }

    @Test func gitFailing() throws {
        let failing = try Scratch()
        try failing.write("git", "#!/bin/sh\necho 'fatal: disk on fire' >&2\nexit 128\n", mode: 0o755)
        expectOneSentence(try fx.plumb("status", env: ["PLUMB_GIT": failing.file("git")]), containing: "disk on fire")
    }

    @Test func sourceUnreachable() throws {
        let result = try fx.plumb("status", env: ["PLUMB_REPO": "/nonexistent/source.git"])
        expectOneSentence(result, containing: "fetching /nonexistent/source.git failed")
    }

    @Test func unknownBranch() throws {
        expectOneSentence(try fx.plumb("status", "--branch", "nope"), containing: "branch nope was not found")
    }

    @Test func targetMissing() throws {
        expectOneSentence(try fx.plumb("status", env: ["PLUMB_TARGET": "/nonexistent/target"]), containing: "the target /nonexistent/target does not exist")
    }

    @Test func noRepositoryGiven() throws {
        expectOneSentence(try fx.plumb("status", env: ["PLUMB_REPO": ""]), containing: "give --repo")
    }

    @Test func stateDirNotWritable() throws {
        guard getuid() != 0 else {
            // root writes anywhere; a state dir under a regular file is refused all the same.
            try fx.state.write("file", "x")
            expectOneSentence(try fx.plumb("status", env: ["PLUMB_STATE": fx.state.file("file/state")]), containing: "cannot create the state dir")
            return
        }
        chmod(fx.state.path, 0o500)
        defer { chmod(fx.state.path, 0o700) }
        expectOneSentence(try fx.plumb("status"), containing: "state dir")
    }

    @Test func stateDirInsideTheTarget() throws {
        expectOneSentence(try fx.plumb("status", env: ["PLUMB_STATE": fx.target.file("state")]), containing: "lies inside the target")
    }

    @Test func badManifestNamesFileLineAndColumn() throws {
        try fx.source.write("resources/a.yaml", "kind: Flie\nname: a\nspec:\n  path: a\n")
        try fx.source.commit("typo")
        let result = try fx.plumb("status")
        #expect(result.status == 1)
        #expect(result.stderr.contains("resources/a.yaml:1:7: unknown kind `Flie` (expected File, Directory, Symlink, Service or Command)"))
    }

    @Test func unknownOption() throws {
        expectOneSentence(try fx.plumb("status", "--colour"), containing: "Unknown option '--colour'")
    }

    @Test func badResourceID() throws {
        expectOneSentence(try fx.plumb("diff", "motd"), containing: "motd is not a resource id")
    }
}
