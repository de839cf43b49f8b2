import Testing
import DesiredState
@testable import Engine

/// SPEC's status words for one declared resource against what the target holds.
@Suite struct ResourceStatusTests {
    static let origin = SourceLocation(file: "resources/app.yaml", line: 1, column: 1)
    static let blob = "0123456789abcdef0123456789abcdef01234567"
    static let otherBlob = "fedcba9876543210fedcba9876543210fedcba98"

    let file = DesiredResource(id: ResourceID(kind: "File", name: "conf"), path: "etc/app.conf",
                               shape: .file(blob: blob, inline: nil, mode: 0o644), sensitive: false, origin: origin)
    let directory = DesiredResource(id: ResourceID(kind: "Directory", name: "app"), path: "etc/app",
                                    shape: .directory(DirectorySpec(mode: 0o755)), sensitive: false, origin: origin)
    let symlink = DesiredResource(id: ResourceID(kind: "Symlink", name: "current"), path: "srv/current",
                                  shape: .symlink(target: "releases/v2"), sensitive: false, origin: origin)

    /// The words a user reads: sync, drift, health, message.
    func words(_ status: ResourceStatus) -> [String?] {
        [status.sync.rawValue, status.drift?.rawValue, status.health.rawValue, status.message]
    }

    // MARK: Synced

    @Test func fileWithSameContentAndModeIsSynced() {
        let status = ResourceStatus.compare(file, .file(blob: Self.blob, mode: 0o644, size: 12))
        #expect(words(status) == ["Synced", nil, "Healthy", nil])
        #expect(status.id == file.id)
        #expect(status.path == "etc/app.conf")
        #expect(status.desired == file)
    }

    @Test func directoryWithSameModeIsSynced() {
        #expect(words(.compare(directory, .directory(mode: 0o755))) == ["Synced", nil, "Healthy", nil])
    }

    @Test func symlinkWithSameTargetIsSynced() {
        #expect(words(.compare(symlink, .symlink(target: "releases/v2"))) == ["Synced", nil, "Healthy", nil])
    }

    // MARK: Missing

    @Test func absentResourceIsMissing() {
        for resource in [file, directory, symlink] {
            #expect(words(.compare(resource, .absent)) == ["OutOfSync", "missing", "Missing", "declared, absent from the target"])
        }
    }

    // MARK: Modified

    @Test func fileWithOtherContent() {
        #expect(words(.compare(file, .file(blob: Self.otherBlob, mode: 0o644, size: 3)))
            == ["OutOfSync", "modified", "Healthy", "content differs"])
    }

    @Test func fileWithOtherModeNamesBothModes() {
        #expect(words(.compare(file, .file(blob: Self.blob, mode: 0o600, size: 12)))
            == ["OutOfSync", "modified", "Healthy", "mode differs: 0600, declared 0644"])
    }

    @Test func fileWithOtherContentAndMode() {
        #expect(words(.compare(file, .file(blob: Self.otherBlob, mode: 0o4755, size: 3)))
            == ["OutOfSync", "modified", "Healthy", "content differs; mode differs: 4755, declared 0644"])
    }

    @Test func directoryWithOtherMode() {
        #expect(words(.compare(directory, .directory(mode: 0o700)))
            == ["OutOfSync", "modified", "Healthy", "mode differs: 0700, declared 0755"])
    }

    @Test func symlinkWithOtherTarget() {
        #expect(words(.compare(symlink, .symlink(target: "releases/v1")))
            == ["OutOfSync", "modified", "Healthy", "link target differs: releases/v1, declared releases/v2"])
    }

    @Test func symlinkTargetIsEscapedInTheMessage() {
        #expect(words(.compare(symlink, .symlink(target: "x\u{1B}[2J")))[3]
            == "link target differs: x\\e[2J, declared releases/v2")
    }

    // MARK: Wrong type

    @Test(arguments: [
        (Observation.directory(mode: 0o755), "type differs: a directory where a file is declared"),
        (.symlink(target: "/etc/passwd"), "type differs: a symlink where a file is declared"),
        (.other("a FIFO"), "type differs: a FIFO where a file is declared"),
    ])
    func fileReplacedByAnotherType(_ observed: Observation, _ message: String) {
        #expect(words(.compare(file, observed)) == ["OutOfSync", "modified", "Degraded", message])
    }

    @Test func directoryReplacedByAFile() {
        #expect(words(.compare(directory, .file(blob: Self.blob, mode: 0o755, size: 1)))
            == ["OutOfSync", "modified", "Degraded", "type differs: a file where a directory is declared"])
    }

    @Test func symlinkReplacedByADirectory() {
        #expect(words(.compare(symlink, .directory(mode: 0o755)))
            == ["OutOfSync", "modified", "Degraded", "type differs: a directory where a symlink is declared"])
    }

    @Test func symlinkReplacedByASocket() {
        #expect(words(.compare(symlink, .other("a socket")))
            == ["OutOfSync", "modified", "Degraded", "type differs: a socket where a symlink is declared"])
    }

    // MARK: Unknown

    @Test func unobservableIsUnknownWithTheReason() {
        let why = "etc is a symlink; plumb does not follow symlinks"
        for resource in [file, directory, symlink] {
            let status = ResourceStatus.compare(resource, .unobservable(why))
            #expect(words(status) == ["Unknown", nil, "Unknown", why])
            #expect(status.observed == .unobservable(why))
        }
    }

    // MARK: Extra

    @Test func extraAppliedEarlier() {
        let status = ResourceStatus.extra(ResourceID(kind: "File", name: "old"), path: "etc/old", observed: .file(blob: Self.blob, mode: 0o644, size: 1), owner: nil,
                                          applied: InventoryEntry(id: ResourceID(kind: "File", name: "old"), kind: .file, path: "etc/old", blob: Self.blob,
                                                                  mode: 0o644, revision: "r", sensitive: true))
        #expect(words(status) == ["OutOfSync", "extra", "Healthy", "no longer declared; plumb applied it earlier"])
        #expect(status.desired == nil)
        #expect(status.sensitive, "applied as sensitive, it stays hidden once no longer declared")
    }

    @Test func extraInAPruningDirectory() {
        let owner = ResourceID(kind: "Directory", name: "site")
        let status = ResourceStatus.extra(ResourceID(kind: "File", name: "site/stray.html"), path: "srv/www/stray.html", observed: .file(blob: Self.blob, mode: 0o644, size: 1), owner: owner, applied: nil)
        #expect(words(status) == ["OutOfSync", "extra", "Healthy", "not declared in the Directory's source"])
        #expect(status.owner == owner)
    }

    @Test func expandedFileCarriesItsDirectoryAsOwner() {
        let owner = ResourceID(kind: "Directory", name: "site")
        let member = DesiredResource(id: ResourceID(kind: "File", name: "site/index.html"), path: "srv/www/index.html",
                                     shape: .file(blob: Self.blob, inline: nil, mode: 0o644), sensitive: false, origin: Self.origin, owner: owner)
        #expect(ResourceStatus.compare(member, .absent).owner == owner)
    }
}
