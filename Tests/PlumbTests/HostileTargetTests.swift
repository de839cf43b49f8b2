import Foundation
import Testing
import TestSupport

/// A hostile local user in the target (the hardening issue, items 3, 4, 5, 13 and 14): folders
/// swapped for symlinks while plumb works, hard links to files outside, names plumb stages under.
/// The races run in loops bounded in count and time.
@Suite struct HostileTargetTests {
    let fx: PlumbFixture
    let outside: Scratch

    init() throws {
        fx = try PlumbFixture()
        outside = try Scratch()
    }

    func manyFiles(_ count: Int, under folder: String = "files/many") throws {
        for n in 0..<count { try fx.source.write("\(folder)/f\(n).txt", "file \(n)\n") }
        try fx.source.write("resources/many.yaml", "kind: Directory\nname: many\nspec:\n  path: a\n  source: \(folder)\n")
        try fx.source.commit("many files")
    }

    /// Item 3: the target root swapped for a symlink to another folder, for a moment, while a
    /// 2,000-file sync runs: every file lands in the real target, none elsewhere.
    @Test func aRootSwappedWhileASyncRunsSendsNothingElsewhere() throws {
        try manyFiles(2000)
        let real = fx.target.path + ".real"
        defer { try? FileManager.default.removeItem(atPath: real) }
        let sync = try fx.spawn(["sync"])
        let deadline = Date().addingTimeInterval(60)
        // Once it writes, swap the root for a symlink to `outside`, then put it back.
        while Date() < deadline, ((try? FileManager.default.contentsOfDirectory(atPath: fx.target.file("a")).count) ?? 0) < 50 { usleep(1_000) }
        var swapped = false
        if rename(fx.target.path, real) == 0 {
            swapped = symlink(outside.path, fx.target.path) == 0
            usleep(300_000)
            unlink(fx.target.path)
            rename(real, fx.target.path)
        }
        sync.waitUntilExit()
        #expect(swapped, "the swap must have happened while the sync ran")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty, "nothing may land in the symlink's target")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.target.file("a")).filter { $0.hasSuffix(".txt") }.count == 2000)
    }

    /// Item 5: `target/a` swapped for a symlink to a folder holding FIFOs of the declared names,
    /// again and again while status runs: status never reports what is outside. Two hundred
    /// folders under `a` give the race two hundred chances per run.
    @Test func statusNeverLooksThroughAParentSwappedForASymlink() throws {
        for n in 0..<200 { try fx.source.write("files/many/\(n)/f.txt", "file \(n)\n") }
        try fx.source.write("resources/many.yaml", "kind: Directory\nname: many\nspec:\n  path: a\n  source: files/many\n")
        try fx.source.commit("many folders")
        #expect(try fx.plumb("sync").status == 0)
        for n in 0..<200 {
            try FileManager.default.createDirectory(atPath: outside.file("\(n)"), withIntermediateDirectories: true)
            #expect(mkfifo(outside.file("\(n)/f.txt"), 0o644) == 0)
        }
        let real = fx.target.file("a.real")
        let stop = Flag()
        let swapper = Thread {
            while !stop.isSet {
                rename(fx.target.file("a"), real)
                symlink(outside.path, fx.target.file("a"))
                usleep(200)
                unlink(fx.target.file("a"))
                rename(real, fx.target.file("a"))
                usleep(200)
            }
        }
        swapper.start()
        defer { stop.set(); usleep(20_000) }
        let deadline = Date().addingTimeInterval(20)
        var runs = 0
        while runs < 30 && Date() < deadline {
            let status = try fx.plumb("status", "--json")
            #expect(!status.stdout.contains("FIFO"), "status looked through the symlink")
            runs += 1
        }
        #expect(runs >= 10)
    }

    /// Item 4: a hard link in the target to a file outside, with the declared content and another
    /// mode. The outside file keeps its mode; the target's path becomes a file of its own, and
    /// the event says so.
    @Test func aHardLinkToAFileOutsideIsReplacedNotChanged() throws {
        try fx.source.write("resources/app.yaml", "kind: File\nname: app\nspec:\n  path: app.conf\n  content: \"same\\n\"\n  mode: \"4755\"\n")
        try fx.source.commit("app")
        try outside.write("secret", "same\n")
        chmod(outside.file("secret"), 0o600)
        #expect(link(outside.file("secret"), fx.target.file("app.conf")) == 0)
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(outside.mode("secret") == 0o600)
        #expect(fx.target.mode("app.conf") == 0o4755)
        var info = stat()
        #expect(lstat(fx.target.file("app.conf"), &info) == 0 && info.st_nlink == 1)
        let events = try fx.plumb("events").stdout
        #expect(events.contains("it was a hard link to another file, which was left as it was"), "\(events)")
    }

    /// Item 13: a declared `.x.plumb-tmp` beside `x` is an ordinary name now: both are kept, and a
    /// hand-made file of such a name is never deleted.
    @Test func oldStagingLikeNamesAreOrdinaryAndReservedOnesAreRefused() throws {
        try fx.source.write("resources/x.yaml", """
            kind: File
            name: x
            spec: {path: x, content: "x\\n"}
            ---
            kind: File
            name: x-tmp
            spec: {path: .x.plumb-tmp, content: "declared\\n"}
            """)
        try fx.source.commit("x")
        try fx.target.write(".y.plumb-tmp", "hand made\n")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/x.yaml", "kind: File\nname: x\nspec: {path: x, content: \"x2\\n\"}\n---\nkind: File\nname: x-tmp\nspec: {path: .x.plumb-tmp, content: \"declared\\n\"}\n---\nkind: File\nname: y\nspec: {path: y, content: \"y\\n\"}\n")
        try fx.source.commit("x2")
        #expect(try fx.plumb("sync").status == 0)
        #expect(fx.target.read(".x.plumb-tmp") == "declared\n")
        #expect(fx.target.read(".y.plumb-tmp") == "hand made\n")
        #expect(fx.target.read("x") == "x2\n")

        try fx.source.write("resources/x.yaml", "kind: File\nname: z\nspec: {path: .plumb-tmp-mine, content: z}\n")
        try fx.source.commit("reserved")
        let check = try fx.plumb("check")
        #expect(check.status == 1)
        #expect((check.stdout + check.stderr).contains("`.plumb-tmp-`, which plumb reserves"))
    }

    /// Item 13: legal names of 252 bytes of three-byte characters are written.
    @Test func longNamesOfMultiByteCharactersAreWritten() throws {
        let name = String(repeating: "€", count: 84)
        try fx.source.write("resources/x.yaml", "kind: File\nname: long\nspec: {path: \"d/\(name)\", content: \"x\\n\"}\n")
        try fx.source.commit("long")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 0, "\(sync.stderr)")
        #expect(fx.target.read("d/\(name)") == "x\n")
    }

    /// Item 14: a prune kept because a parent became a symlink says so, not "it changed".
    @Test func aPruneBlockedByASymlinkedParentSaysWhy() throws {
        try fx.source.write("resources/x.yaml", "kind: File\nname: old\nspec: {path: etc/old.conf, content: \"old\\n\"}\n---\nkind: File\nname: keep\nspec: {path: keep, content: k}\n")
        try fx.source.commit("old")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/x.yaml", "kind: File\nname: keep\nspec: {path: keep, content: k}\n")
        try fx.source.commit("drop old")
        try FileManager.default.moveItem(atPath: fx.target.file("etc"), toPath: outside.file("etc"))
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("etc"), withDestinationPath: outside.file("etc"))
        #expect(try fx.plumb("sync", "--prune").status == 0)
        #expect(FileManager.default.fileExists(atPath: outside.file("etc/old.conf")))
        let events = try fx.plumb("events").stdout
        #expect(events.contains("kept etc/old.conf: etc: is a symlink; plumb does not follow symlinks"), "\(events)")
    }

    /// Purge never reaches through a folder swapped for a symlink: what lies outside is neither
    /// listed nor deleted, and the Directory's own files are still purged.
    @Test func purgeNeverDeletesThroughASymlinkedFolder() throws {
        try outside.write("precious/data.db", "outside data\n")
        try fx.target.write("app/stray.conf", "stray\n")
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("app/sub"), withDestinationPath: outside.file("precious"))
        try fx.source.write("files/app/app.conf", "ok\n")
        try fx.source.write("resources/app.yaml", "kind: Directory\nname: app\nspec: {path: app, source: files/app, purge: true}\n")
        try fx.source.commit("purging app")
        let sync = try fx.plumb("sync")
        #expect(!fx.target.exists("app/stray.conf"), "\(sync.stdout)\(sync.stderr)")
        #expect(outside.read("precious/data.db") == "outside data\n", "nothing behind the symlink is touched")
        // The link is a symlink plumb did not write: it is purged as a link (its text saved), never followed.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: fx.target.file("app/sub"))) == nil)
        #expect(try fx.messages(of: "ResourcePurged").contains { $0.contains("deleted app/sub ") })
    }

    /// Owner changes go beneath the root descriptor: a folder swapped for a symlink to a folder
    /// outside makes the sync fail for that file, and the file outside keeps its owner.
    @Test(.enabled(if: getuid() == 0, "chown needs root")) func chownNeverReachesThroughASymlinkedFolder() throws {
        try fx.source.write("resources/x.yaml", "kind: File\nname: conf\nspec: {path: etc/app.conf, content: \"x\\n\"}\n")
        try fx.source.commit("unowned")
        #expect(try fx.plumb("sync").status == 0)
        try FileManager.default.moveItem(atPath: fx.target.file("etc"), toPath: outside.file("etc"))
        try FileManager.default.createSymbolicLink(atPath: fx.target.file("etc"), withDestinationPath: outside.file("etc"))
        try fx.source.write("resources/x.yaml", "kind: File\nname: conf\nspec: {path: etc/app.conf, content: \"x\\n\", owner: nobody}\n")
        try fx.source.commit("owned")
        let sync = try fx.plumb("sync")
        #expect(sync.status != 0)
        var info = stat()
        #expect(stat(outside.file("etc/app.conf"), &info) == 0 && info.st_uid == 0, "the file outside keeps its owner")
        #expect((sync.stdout + sync.stderr).contains("etc: is a symlink; plumb does not follow symlinks"), "\(sync.stdout)\(sync.stderr)")
    }

    /// Item 14: a Git LFS pointer is not deployed as its pointer text.
    @Test func aGitLFSPointerIsRefused() throws {
        try fx.source.write("files/big.bin", "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n")
        try fx.source.write("resources/x.yaml", "kind: File\nname: big\nspec: {path: big.bin, source: files/big.bin}\n")
        try fx.source.commit("lfs")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect((sync.stdout + sync.stderr).contains("Git LFS pointer"), "\(sync.stdout)\(sync.stderr)")
        #expect(!fx.target.exists("big.bin"))
    }
}

/// A flag one thread sets and another reads.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.lock(); value = true; lock.unlock() }
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return value }
}
