import DesiredState
import Foundation
import Testing
@testable import Engine
import TestSupport
import VersionSource

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

    @Test func writeFileEmptyContent() throws {
        try fs.writeFile("empty", bytes: [], mode: 0o644)
        #expect(try Data(contentsOf: URL(fileURLWithPath: target + "/empty")).isEmpty)
    }

    // MARK: Symlinks

    // The kernel refuses a symlink on the way with ELOOP (or ENOTDIR): the message must still
    // say which component it is.
    @Test func writeThroughASymlinkedParentThrowsAndWritesNothingOutside() throws {
        try symlink(target + "/etc", pointingTo: outside)
        let shallow = failure { try fs.writeFile("etc/passwd", bytes: Array("root::0:0::/:/bin/sh\n".utf8), mode: 0o644) }
        let deep = failure { try fs.writeFile("etc/deeper/still/file", bytes: [1], mode: 0o644) }
        #expect(shallow != nil)
        #expect(deep != nil)
        #expect(try contents(of: outside) == [])
        #expect(try contents(of: target) == ["etc"])
        #expect(shallow == "etc: is a symlink; plumb does not follow symlinks")
        #expect(deep == "etc: is a symlink; plumb does not follow symlinks")
    }

    @Test func writeThroughADeeperSymlinkedParentNamesIt() throws {
        try FileManager.default.createDirectory(atPath: target + "/srv", withIntermediateDirectories: false)
        try symlink(target + "/srv/www", pointingTo: outside)
        let error = failure { try fs.writeFile("srv/www/index.html", bytes: [1], mode: 0o644) }
        #expect(error?.hasPrefix("srv/www: ") == true)
        #expect(try contents(of: outside) == [])
        #expect(error == "srv/www: is a symlink; plumb does not follow symlinks")
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

    // MARK: Resolving beneath the root

    func lstatFailure(_ path: String) -> String? {
        if case .failure(let error) = fs.lstat(path) { return error.description }
        return nil
    }

    @Test func aSymlinkedAncestorIsNamedAndNotLookedThrough() throws {
        try FileManager.default.createDirectory(atPath: target + "/etc", withIntermediateDirectories: false)
        try symlink(target + "/etc/nginx", pointingTo: outside)
        try TestSupport.writeFile(outside + "/nginx.conf", "outside\n")
        #expect(lstatFailure("etc/nginx/nginx.conf") == "etc/nginx: is a symlink; plumb does not follow symlinks")
        #expect(failure { _ = try fs.readFile("etc/nginx/nginx.conf") }?.contains("etc/nginx: is a symlink") == true)
        #expect(failure { try fs.writeFile("etc/nginx/nginx.conf", bytes: [1], mode: 0o644) }?.contains("etc/nginx: is a symlink") == true)
        #expect(try String(contentsOfFile: outside + "/nginx.conf", encoding: .utf8) == "outside\n")
    }

    @Test func aFileAncestorIsNamed() throws {
        try TestSupport.writeFile(target + "/etc", "a file, not a directory")
        #expect(lstatFailure("etc/app/conf") == "etc: is not a directory")
    }

    @Test func realOrAbsentDirectoriesAreFine() throws {
        try FileManager.default.createDirectory(atPath: target + "/etc/app", withIntermediateDirectories: true)
        #expect(lstatFailure("etc/app/conf") == nil)
        #expect(try fs.lstat("var/lib/absent/file").get() == nil)
        #expect(try fs.lstat("etc/app").get()?.type == S_IFDIR)
    }

    @Test func aSymlinkAtTheEndIsLookedAtItself() throws {
        try symlink(target + "/link", pointingTo: outside)
        #expect(try fs.lstat("link").get()?.type == S_IFLNK)
        #expect(try fs.readLink("link") == outside)
    }

    /// Item 1 of the hardening issue, at the writer: even a path that got past every check
    /// cannot take a write, a mode change or a removal outside the root.
    @Test func dotDotNeverLeavesTheRoot() throws {
        try TestSupport.writeFile(outside + "/victim", "keep\n", mode: 0o644)
        #expect(failure { try fs.writeFile("../outside/evil", bytes: [1], mode: 0o644) } != nil)
        #expect(failure { try fs.writeFile("a/../../outside/evil", bytes: [1], mode: 0o644) } != nil)
        #expect(failure { try fs.setMode("../outside/victim", mode: 0o777, directory: false) } != nil)
        #expect(failure { try fs.remove("../outside/victim", directory: false) } != nil)
        #expect(failure { try fs.makeSymlink("../outside/link", target: "x") } != nil)
        #expect(try contents(of: outside) == ["victim"])
        #expect(mode(outside + "/victim") == 0o644)
    }

    /// Item 3: the root is held open, so swapping it for a symlink while plumb works sends no
    /// write elsewhere.
    @Test func aRootSwappedForASymlinkKeepsWritesInTheRealRoot() throws {
        try fs.writeFile("before", bytes: [1], mode: 0o644)
        try FileManager.default.moveItem(atPath: target, toPath: target + ".real")
        try symlink(target, pointingTo: outside)
        try fs.writeFile("after", bytes: [2], mode: 0o644)
        try fs.makeDirectory("dir", mode: 0o755)
        #expect(try contents(of: outside) == [])
        #expect(try contents(of: target + ".real") == ["after", "before", "dir"])
    }

    /// Item 4: a hard link to a file outside is never changed in place.
    @Test func aHardLinkIsNotChmodded() throws {
        try TestSupport.writeFile(outside + "/secret", "same\n")
        chmod(outside + "/secret", 0o600)
        #expect(link(outside + "/secret", target + "/app.conf") == 0)
        #expect(try fs.setMode("app.conf", mode: 0o4755, directory: false) == .hardLinked)
        #expect(mode(outside + "/secret") == 0o600)
        try fs.writeFile("app.conf", bytes: Array("same\n".utf8), mode: 0o755)
        #expect(mode(outside + "/secret") == 0o600)
        #expect(mode(target + "/app.conf") == 0o755)
        var info = stat()
        #expect(lstat(target + "/app.conf", &info) == 0 && info.st_nlink == 1, "a file of its own now")
    }

    /// Item 13: staging never takes a name anyone uses, and works for the longest legal names.
    @Test func stagingNeverTouchesAnExistingNameAndFitsLongNames() throws {
        try TestSupport.writeFile(target + "/.x.plumb-tmp", "hand made\n")
        try fs.writeFile("x", bytes: [1], mode: 0o644)
        #expect(try String(contentsOfFile: target + "/.x.plumb-tmp", encoding: .utf8) == "hand made\n")
        #expect(try contents(of: target) == [".x.plumb-tmp", "x"])
        let long = String(repeating: "é", count: 126)  // 252 bytes
        try fs.writeFile(long, bytes: [1], mode: 0o644)
        try fs.makeSymlink(long + "-", target: "x")
        #expect(try contents(of: target).count == 4)
    }

    /// A staging file left by a plumb killed between naming and renaming is plumb's own: the
    /// next write of that file takes its place, so leftovers never pile up.
    @Test func aLeftoverStagingFileIsReplacedByTheNextWrite() throws {
        try fs.writeFile("app.conf", bytes: Array("one\n".utf8), mode: 0o644)
        let leftover = TargetFileSystem.stagingName(for: "app.conf")
        try TestSupport.writeFile(target + "/" + leftover, "half written")
        try fs.writeFile("app.conf", bytes: Array("whole\n".utf8), mode: 0o644)
        #expect(try contents(of: target) == ["app.conf"])
        #expect(try String(contentsOfFile: target + "/app.conf", encoding: .utf8) == "whole\n")
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
        #expect(error == "etc: is a symlink; plumb does not follow symlinks")
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
        #expect(scan.strangers(under: "srv/www").map(\.path).sorted() == ["srv/www/css/site.css", "srv/www/escape"])
    }

    /// Item 2: a name in the target that is not valid UTF-8 is reported under an escaped name,
    /// never taken for the declared file it would decode to.
    @Test func folderScanReportsANameThatIsNotUTF8() throws {
        try fs.writeFile("srv/www/caf\u{FFFD}.html", bytes: [1], mode: 0o644)
        let bad = Array((target + "/srv/www/caf").utf8) + [0xE9] + Array(".html".utf8)
        let fd = bad.withUnsafeBufferPointer { buffer in
            (buffer.map { CChar(bitPattern: $0) } + [0]).withUnsafeBufferPointer { open($0.baseAddress!, O_CREAT | O_WRONLY, 0o644) }
        }
        #expect(fd >= 0)
        close(fd)
        var scan = FolderScan(fs: fs, cache: [:], declared: files(["srv/www/caf\u{FFFD}.html"]), known: [])
        let found = scan.strangers(under: "srv/www")
        #expect(found.map(\.path) == ["srv/www/caf\\xe9.html"])
        #expect(found.first?.problem?.contains("not valid UTF-8") == true)
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
        #expect(third.strangers(under: "srv/www").map(\.path) == ["srv/www/css/extra.css"])
        #expect(third.changed)
    }
}
