import Foundation
import Testing
import TestSupport

/// `plumb init`: a skeleton that passes `plumb check` as it is, and applies.
@Suite struct InitTests {
    @Test func theSkeletonPassesCheckWithoutATargetAndApplies() throws {
        let folder = try Scratch()
        let repo = folder.file("site")
        // Nothing of the check may stay behind: no state dir at home, nothing in the temporary folder.
        let env = ["HOME": folder.file("home"), "XDG_STATE_HOME": "", "TMPDIR": folder.file("tmp")]
        try FileManager.default.createDirectory(atPath: folder.file("tmp"), withIntermediateDirectories: true)
        let made = try run(PlumbBinary.path, ["init", repo], env: env)
        #expect(made.status == 0, "\(made.stderr)")
        #expect(made.stdout.contains("plumb check --repo \(repo)"), "it says what to do next: \(made.stdout)")
        let example = try String(contentsOfFile: repo + "/resources/example.yaml", encoding: .utf8)
        for kind in ["kind: File", "kind: Directory", "kind: Symlink", "source: files/app/config.ini", "# "] { #expect(example.contains(kind)) }
        try git(["add", "--all"], cwd: repo)
        try git(["commit", "--quiet", "-m", "Start the desired state"], cwd: repo)

        let check = try run(PlumbBinary.path, ["check", "--repo", repo], env: env)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.hasPrefix("pass: "), "\(check.stdout)")
        #expect(!FileManager.default.fileExists(atPath: folder.file("home/.local/state")))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("tmp")).isEmpty)

        let target = folder.file("target")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
        let sync = try run(PlumbBinary.path, ["sync", "--repo", repo, "--target", target, "--state", folder.file("state")], env: env)
        #expect(sync.status == 0, "\(sync.stderr)")
        let status = try run(PlumbBinary.path, ["status", "--json", "--repo", repo, "--target", target, "--state", folder.file("state")], env: env)
        #expect(status.status == 0, "everything Synced after one sync: \(status.stdout)")
        let resources = try #require((try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])?["resources"] as? [[String: Any]])
        #expect(Set(resources.compactMap { $0["kind"] as? String }) == ["File", "Directory", "Symlink", "Command"])
        #expect(FileManager.default.fileExists(atPath: target + "/srv/app/config.ini"))
        #expect((try? String(contentsOfFile: target + "/srv/app/config-changes.log", encoding: .utf8)) == "config changed\n",
                "the Command ran once, after the config it watches was created")
    }

    @Test func aFolderThatHoldsAnythingIsRefusedAndKept() throws {
        let folder = try Scratch()
        try folder.write("site/notes.txt", "mine\n")
        let refused = try run(PlumbBinary.path, ["init", folder.file("site")])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("\(folder.file("site")) is not empty (it holds notes.txt)"), "\(refused.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.file("site")) == ["notes.txt"])
        #expect(folder.read("site/notes.txt") == "mine\n")

        let underAFile = try run(PlumbBinary.path, ["init", folder.file("site/notes.txt/repo")])
        #expect(underAFile.status == 1)
        #expect(underAFile.stderr == "plumb: cannot make the folder \(folder.file("site/notes.txt/repo")): Not a directory\n", "the system's reason, not Foundation's")
    }
}
