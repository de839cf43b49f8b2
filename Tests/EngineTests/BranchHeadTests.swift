import Foundation
import Testing
import TestSupport
import VersionSource

/// The branch head read from the mirror's ref files while they still name the head git verified
/// last; anything else, hostile or only unusual, is git's to read. A git that leaves a mark and
/// fails tells which.
@Suite struct BranchHeadTests {
    let repo: SourceRepository
    let mirrorPath: String
    let head: String
    let failingGit: GitThatFails

    init() throws {
        repo = try SourceRepository()
        try repo.write("resources/a.yaml", "kind: File\nname: a\nspec:\n  path: a\n  content: a\n")
        head = try repo.commit("first")
        mirrorPath = repo.scratch.file("mirror.git")
        try git(["init", "--quiet", "--bare", mirrorPath])
        try git(["--git-dir", mirrorPath, "fetch", "--quiet", repo.bare, "+refs/heads/main:refs/heads/main"])
        failingGit = try GitThatFails(in: repo.scratch)
    }

    func mirror(branch: String = "main", git: String? = nil) -> Mirror {
        Mirror(source: SourceRef(url: repo.bare, branch: branch), path: mirrorPath, gitExecutable: git)
    }

    /// Whether reading the head with `known` ran git.
    func asksGit(_ known: String?, branch: String = "main") async -> Bool {
        await failingGit.ran { _ = try? await mirror(branch: branch, git: failingGit.path).head(known: known) }.ran
    }

    @Test func aRefThatStillNamesTheKnownHeadIsReadWithoutGit() async throws {
        #expect(try await mirror().head() == head)
        #expect(try await mirror(git: failingGit.path).head(known: head) == head)
        #expect(!(await asksGit(head)))
        #expect(await asksGit(nil), "nothing known: git reads it")
        #expect(await asksGit(String(repeating: "0", count: 40)), "another commit known: git reads it")
    }

    @Test func aPackedRefIsReadToo() async throws {
        try git(["--git-dir", mirrorPath, "pack-refs", "--all", "--prune"])
        #expect(!FileManager.default.fileExists(atPath: mirrorPath + "/refs/heads/main"))
        #expect(try await mirror(git: failingGit.path).head(known: head) == head)
    }

    @Test func aMovedBranchIsGitsToRead() async throws {
        try repo.write("resources/b.yaml", "kind: File\nname: b\nspec:\n  path: b\n  content: b\n")
        let next = try repo.commit("second")
        try git(["--git-dir", mirrorPath, "fetch", "--quiet", repo.bare, "+refs/heads/main:refs/heads/main"])
        #expect(await asksGit(head))
        #expect(try await mirror().head(known: head) == next)
    }

    @Test func refFilesThatDoNotPlainlyNameTheHeadAreGitsToRead() async throws {
        let ref = mirrorPath + "/refs/heads/main"
        let elsewhere = repo.scratch.file("elsewhere")
        try "\(head)\n".write(toFile: elsewhere, atomically: true, encoding: .utf8)
        for (what, put) in [
            ("a symlink to a file naming it", { try FileManager.default.removeItem(atPath: ref); try FileManager.default.createSymbolicLink(atPath: ref, withDestinationPath: elsewhere) }),
            ("a symbolic ref", { try "ref: refs/heads/other\n".write(toFile: ref, atomically: true, encoding: .utf8) }),
            ("uppercase hex", { try "\(head.uppercased())\n".write(toFile: ref, atomically: true, encoding: .utf8) }),
            ("the id and more", { try "\(head)\n\(head)\n".write(toFile: ref, atomically: true, encoding: .utf8) }),
            ("half an id", { try "\(head.prefix(20))\n".write(toFile: ref, atomically: true, encoding: .utf8) }),
            ("a folder", { try FileManager.default.removeItem(atPath: ref); try FileManager.default.createDirectory(atPath: ref + "/x", withIntermediateDirectories: true) }),
        ] as [(String, () throws -> Void)] {
            try? FileManager.default.removeItem(atPath: ref)
            try "\(head)\n".write(toFile: ref, atomically: true, encoding: .utf8)
            try put()
            #expect(await asksGit(head), "\(what)")
        }
    }

    @Test func branchNamesThatAreNotPlainAreGitsToRead() async throws {
        // A file the name would reach, outside refs/heads or the mirror, naming the known head.
        try "\(head)\n".write(toFile: mirrorPath + "/outside", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: mirrorPath + "/refs/heads/.hidden", withIntermediateDirectories: true)
        try "\(head)\n".write(toFile: mirrorPath + "/refs/heads/.hidden/x", atomically: true, encoding: .utf8)
        try "\(head)\n".write(toFile: mirrorPath + "/refs/heads/x.lock", atomically: true, encoding: .utf8)
        for branch in ["../../outside", "a/../../../outside", ".hidden/x", "x.lock", "main\n", "ma in", ""] {
            #expect(await asksGit(head, branch: branch), "\(branch.debugDescription)")
        }
        #expect(!(await asksGit(head, branch: "main")), "and the plain name still is not")
    }
}
