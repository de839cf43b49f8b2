import DesiredState
import Foundation
import Testing
@testable import Engine
import TestSupport

/// The target on a real disk: atomic writes, exact modes, and nothing written or followed through
/// a symlink.
@Suite struct TargetFileSystemTests {
    let scratch: Scratch
    let target: String
    let outside: String
    let fs: TargetFileSystem

    init() throws {
        scratch = try Scratch()
        target = scratch.file("target")
        outside = scratch.file("outside")
        try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: false)
        fs = try TargetFileSystem(root: target)
    }

    func contents(of directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func mode(_ path: String) -> UInt32? {
        var info = stat()
        return lstat(path, &info) == 0 ? UInt32(info.st_mode & 0o7777) : nil
    }

    func symlink(_ path: String, pointingTo destination: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: destination)
    }

    /// The description of what `body` throws, or nil when it does not throw.
    func failure(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    // MARK: The root

    @Test func missingTargetIsRefused() {
        #expect(failure { _ = try TargetFileSystem(root: scratch.file("nowhere")) }
            == "\(scratch.file("nowhere")): the target does not exist: No such file or directory")
    }

    @Test func targetThatIsAFileIsRefused() throws {
        try TestSupport.writeFile(scratch.file("plain"), "x")
        #expect(failure { _ = try TargetFileSystem(root: scratch.file("plain")) } == "\(scratch.file("plain")): the target is not a directory")
    }

    // MARK: Writing

    @Test func writeFileCreatesParentsAndLeavesNoStagingFile() throws {
        try fs.writeFile("etc/nginx/conf.d/site.conf", bytes: Array("server {}\n".utf8), mode: 0o640)
        #expect(try String(contentsOfFile: target + "/etc/nginx/conf.d/site.conf", encoding: .utf8) == "server {}\n")
        #expect(try contents(of: target + "/etc/nginx/conf.d") == ["site.conf"])
        #expect(try contents(of: target + "/etc/nginx") == ["conf.d"])
    }

    @Test(arguments: [0o600, 0o644, 0o666, 0o755, 0o777, 0o400] as [UInt32])
    func writeFileSetsTheModeExactlyWhateverTheUmask(_ wanted: UInt32) throws {
        // The test process's umask (typically 022) would strip group and other write bits from a
        // mode given to open(2); plumb must set the declared bits exactly.
        let previous = umask(0o077)
        defer { umask(previous) }
        try fs.writeFile("bin/tool", bytes: [1, 2, 3], mode: wanted)
        #expect(mode(target + "/bin/tool") == wanted)
    }

    @Test func writeFileReplacesContentAtomicallyByRename() throws {
        try fs.writeFile("app.conf", bytes: Array("old\n".utf8), mode: 0o644)
        var before = stat()
        lstat(target + "/app.conf", &before)
        try fs.writeFile("app.conf", bytes: Array("new\n".utf8), mode: 0o600)
        var after = stat()
        lstat(target + "/app.conf", &after)
        #expect(try String(contentsOfFile: target + "/app.conf", encoding: .utf8) == "new\n")
        #expect(after.st_ino != before.st_ino, "the new content must arrive by rename, not by rewriting in place")
        #expect(mode(target + "/app.conf") == 0o600)
        #expect(try contents(of: target) == ["app.conf"])
    }

    @Test func writeFileOverALeftoverStagingFile() throws {
        // A crash can leave `.<name>.plumb-tmp`; the next write reuses the name.
        try TestSupport.writeFile(target + "/.app.conf.plumb-tmp", "half written")
        try fs.writeFile("app.conf", bytes: Array("whole\n".utf8), mode: 0o644)
        #expect(try contents(of: target) == ["app.conf"])
        #expect(try String(contentsOfFile: target + "/app.conf", encoding: .utf8) == "whole\n")
    }

    @Test func writeFileEmptyContent() throws {
        try fs.writeFile("empty", bytes: [], mode: 0o644)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/empty")).isEmpty)
    }

    // MARK: Symlinks

    // On Linux, openat(O_DIRECTORY | O_NOFOLLOW) refuses a symlink with ENOTDIR, not ELOOP:
    // the message must still say it is a symlink.
    @Test func writeThroughASymlinkedParentThrowsAndWritesNothingOutside() throws {
        try symlink(target + "/etc", pointingTo: outside)
        let shallow = failure { try fs.writeFile("etc/passwd", bytes: Array("root::0:0::/:/bin/sh\n".utf8), mode: 0o644) }
        let deep = failure { try fs.writeFile("etc/deeper/still/file", bytes: [1], mode: 0o644) }
        #expect(shallow != nil)
        #expect(deep != nil)
        #expect(try contents(of: outside) == [])
        #expect(try contents(of: target) == ["etc"])
        #expect(shallow == "etc: is a symlink; plumb does not write through symlinks")
        #expect(deep == "etc: is a symlink; plumb does not write through symlinks")
    }

    @Test func writeThroughADeeperSymlinkedParentNamesIt() throws {
        try FileManager.default.createDirectory(atPath: target + "/srv", withIntermediateDirectories: false)
        try symlink(target + "/srv/www", pointingTo: outside)
        let error = failure { try fs.writeFile("srv/www/index.html", bytes: [1], mode: 0o644) }
        #expect(error?.hasPrefix("srv/www: ") == true)
        #expect(try contents(of: outside) == [])
        #expect(error == "srv/www: is a symlink; plumb does not write through symlinks")
    }

    @Test func writeUnderARegularFileSaysItIsNotADirectory() throws {
        try TestSupport.writeFile(target + "/etc", "a file")
        #expect(failure { try fs.writeFile("etc/conf", bytes: [1], mode: 0o644) } == "etc: is not a directory")
    }

    @Test func makeDirectoryUnderASymlinkedParentCreatesNothingOutside() throws {
        try symlink(target + "/var", pointingTo: outside)
        #expect(throws: TargetError.self) { try fs.makeDirectory("var/log", mode: 0o755) }
        #expect(try contents(of: outside) == [])
    }

    @Test func writeFileOverASymlinkReplacesTheLinkNotItsDestination() throws {
        try TestSupport.writeFile(outside + "/secret", "keep me\n")
        try symlink(target + "/app.conf", pointingTo: outside + "/secret")
        try fs.writeFile("app.conf", bytes: Array("declared\n".utf8), mode: 0o644)
        #expect(try String(contentsOfFile: outside + "/secret", encoding: .utf8) == "keep me\n")
        #expect(try FileManager.default.attributesOfItem(atPath: target + "/app.conf")[.type] as? FileAttributeType == .typeRegular)
        #expect(try String(contentsOfFile: target + "/app.conf", encoding: .utf8) == "declared\n")
    }

    @Test func readFileRefusesASymlink() throws {
        try TestSupport.writeFile(outside + "/secret", "do not read\n")
        try symlink(target + "/link", pointingTo: outside + "/secret")
        #expect(throws: TargetError.self) { try fs.readFile("link") }
        #expect(Observer(fs: fs, lookup: .empty).observe("link") == .symlink(target: outside + "/secret"))
    }

    @Test func makeSymlinkWritesTheLinkText() throws {
        try fs.makeSymlink("srv/current", target: "releases/v2")
        #expect(try fs.readLink("srv/current") == "releases/v2")
        try fs.makeSymlink("srv/current", target: "releases/v3")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: target + "/srv/current") == "releases/v3")
        #expect(try contents(of: target + "/srv") == ["current"])
    }

    // MARK: blockingParent

    @Test func blockingParentReportsASymlinkedAncestor() throws {
        try FileManager.default.createDirectory(atPath: target + "/etc", withIntermediateDirectories: false)
        try symlink(target + "/etc/nginx", pointingTo: outside)
        var checked: [String: String?] = [:]
        #expect(fs.blockingParent(of: "etc/nginx/conf.d/site.conf", checked: &checked) == "etc/nginx is a symlink; plumb does not follow symlinks")
        // Another path below it gets the same answer, from what was checked already.
        #expect(fs.blockingParent(of: "etc/nginx/nginx.conf", checked: &checked) == "etc/nginx is a symlink; plumb does not follow symlinks")
    }

    @Test func blockingParentReportsAFileAncestor() throws {
        try TestSupport.writeFile(target + "/etc", "a file, not a directory")
        var checked: [String: String?] = [:]
        #expect(fs.blockingParent(of: "etc/app/conf", checked: &checked) == "etc is not a directory")
    }

    @Test func blockingParentIsNilForRealOrAbsentDirectories() throws {
        try FileManager.default.createDirectory(atPath: target + "/etc/app", withIntermediateDirectories: true)
        var checked: [String: String?] = [:]
        #expect(fs.blockingParent(of: "etc/app/conf", checked: &checked) == nil)
        #expect(fs.blockingParent(of: "var/lib/absent/file", checked: &checked) == nil)
        #expect(fs.blockingParent(of: "top-level", checked: &checked) == nil)
    }

    @Test func blockingParentDoesNotLookAtTheLastComponent() throws {
        try symlink(target + "/link", pointingTo: outside)
        var checked: [String: String?] = [:]
        #expect(fs.blockingParent(of: "link", checked: &checked) == nil)
    }

    // MARK: Removing

    @Test func removeRefusesANonEmptyDirectory() throws {
        try fs.writeFile("d/f", bytes: [1], mode: 0o644)
        #expect(failure { try fs.remove("d", directory: true) } == "d: is a directory that is not empty")
        #expect(FileManager.default.fileExists(atPath: target + "/d/f"))
    }

    @Test func removeDeletesAFileAndThenTheEmptyDirectory() throws {
        try fs.writeFile("d/f", bytes: [1], mode: 0o644)
        try fs.remove("d/f", directory: false)
        try fs.remove("d", directory: true)
        #expect(try contents(of: target) == [])
    }

    @Test func removeASymlinkLeavesItsDestination() throws {
        try TestSupport.writeFile(outside + "/keep", "x")
        try symlink(target + "/link", pointingTo: outside + "/keep")
        try fs.remove("link", directory: false)
        #expect(try contents(of: target) == [])
        #expect(try contents(of: outside) == ["keep"])
    }

    @Test func removeUnderASymlinkedParentDeletesNothingOutside() throws {
        try TestSupport.writeFile(outside + "/keep", "x")
        try symlink(target + "/etc", pointingTo: outside)
        let error = failure { try fs.remove("etc/keep", directory: false) }
        #expect(error != nil)
        #expect(try contents(of: outside) == ["keep"])
        #expect(error == "etc: is a symlink; plumb does not write through symlinks")
    }

    // MARK: Hashing

    @Test(arguments: [0, 1, 65_535, 65_536, 200_003])
    func observedBlobEqualsGitHashObject(_ size: Int) throws {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try fs.writeFile("blob.bin", bytes: bytes, mode: 0o644)
        let result = try TestSupport.run("git", ["hash-object", target + "/blob.bin"])
        #expect(result.status == 0)
        let blob = result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Observer(fs: fs, lookup: .empty).observe("blob.bin") == .file(blob: blob, mode: 0o644, size: size))
    }

    @Test func aDirectoryIsObservedAsOneNotHashed() throws {
        try FileManager.default.createDirectory(atPath: target + "/d", withIntermediateDirectories: false)
        chmod(target + "/d", 0o750)
        #expect(Observer(fs: fs, lookup: .empty).observe("d") == .directory(mode: 0o750))
    }

    // MARK: Listing

    /// File resources at these paths, as a Directory's source declares them.
    func files(_ paths: [String]) -> [DesiredResource] {
        paths.map {
            DesiredResource(id: ResourceID(kind: "File", name: $0), path: $0, shape: .file(blob: "b", inline: nil, mode: 0o644),
                            sensitive: false, origin: SourceLocation(file: "resources/x.yaml", line: 1, column: 1))
        }
    }


    @Test func folderScanFindsUndeclaredFilesWithoutFollowingSymlinks() throws {
        try TestSupport.writeFile(outside + "/hidden", "x")
        try fs.writeFile("srv/www/index.html", bytes: [1], mode: 0o644)
        try fs.writeFile("srv/www/css/site.css", bytes: [1], mode: 0o644)
        try symlink(target + "/srv/www/escape", pointingTo: outside)
        var scan = FolderScan(fs: fs, cache: [:], declared: files(["srv/www/index.html"]), known: [])
        #expect(scan.strangers(under: "srv/www").sorted() == ["srv/www/css/site.css", "srv/www/escape"])
    }

    @Test func anUnchangedCleanFolderIsNotListedAgain() throws {
        try fs.writeFile("srv/www/index.html", bytes: [1], mode: 0o644)
        try fs.writeFile("srv/www/css/site.css", bytes: [1], mode: 0o644)
        age(target + "/srv/www")
        age(target + "/srv/www/css")
        let declared: Set<String> = ["srv/www/index.html", "srv/www/css/site.css"]
        var first = FolderScan(fs: fs, cache: [:], declared: files(declared.sorted()), known: [])
        #expect(first.strangers(under: "srv/www").isEmpty)
        #expect(first.clean.keys.sorted() == ["srv/www", "srv/www/css"])

        var second = FolderScan(fs: fs, cache: first.clean, declared: files(declared.sorted()), known: [])
        #expect(second.strangers(under: "srv/www").isEmpty)
        #expect(!second.changed, "nothing changed, so nothing was listed")

        try fs.writeFile("srv/www/css/extra.css", bytes: [2], mode: 0o644)
        var third = FolderScan(fs: fs, cache: first.clean, declared: files(declared.sorted()), known: [])
        #expect(third.strangers(under: "srv/www") == ["srv/www/css/extra.css"])
        #expect(third.changed)
    }
}
