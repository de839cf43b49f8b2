import Foundation
import Testing
import DesiredState
@testable import Engine
import GRDBSQLite
import TestSupport

/// The state dir's database on a real file: journal, meta, inventory, stat cache.
@Suite struct StateStoreTests {
    let scratch: Scratch
    let path: String
    let store: StateStore

    init() throws {
        scratch = try Scratch()
        path = scratch.file("state.db")
        store = try StateStore(path: path)
    }

    /// Another process (here, a connection that holds the lock as another process would) has a
    /// new database locked while plumb opens it: plumb waits instead of failing at once. (Two
    /// processes switching one new database to WAL at once can also fail without waiting; that
    /// race is retried in `StateStore.open`, and was checked with 20 `plumb events` started beside
    /// each `plumb agent --once` on a new state dir: 1 failure in 30 rounds before, 0 in 40 after.)
    @Test(arguments: [StateStore.Use.running, .reading]) func openingWaitsWhileAnotherHoldsTheNewDatabase(use: StateStore.Use) throws {
        let fresh = scratch.file("fresh.db")
        var holder: OpaquePointer?
        #expect(sqlite3_open(fresh, &holder) == SQLITE_OK)
        #expect(sqlite3_exec(holder, "CREATE TABLE t(x); BEGIN EXCLUSIVE; INSERT INTO t VALUES (1)", nil, nil, nil) == SQLITE_OK)
        nonisolated(unsafe) let held = holder
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) {
            sqlite3_exec(held, "COMMIT", nil, nil, nil)
            sqlite3_close(held)
        }
        let opened = try StateStore(path: fresh, use: use)
        #expect(try opened.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        try opened.append(Event(.newRevision, .info, revision: "abc", message: "opened after the lock was let go"))
        #expect(try opened.events(last: 1).count == 1)
    }

    /// A reading command's store, one connection, makes a new database a logged one as a pool
    /// does, and reads what an agent's store commits while that store is open, and the other way round.
    @Test(arguments: [StateStore.Use.reading, .running]) func oneConnectionAndAPoolShareTheLog(first: StateStore.Use) throws {
        let fresh = scratch.file("shared.db")
        let opener = try StateStore(path: fresh, use: first)
        #expect(try opener.database.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") } == "wal")
        let other = try StateStore(path: fresh, use: first == .reading ? .running : .reading)
        try other.setMeta(.lastSeenHead, "abc")
        #expect(try opener.meta(.lastSeenHead) == "abc")
        try opener.append(Event(.newRevision, .info, revision: "abc", message: "written by the opener"))
        #expect(try other.events(last: 1).map(\.message) == ["written by the opener"])
    }

    static let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let conf = ResourceID(kind: "File", name: "conf")
    static let site = ResourceID(kind: "Directory", name: "site")

    /// Journals a small history: the sync of revision abc touching two resources.
    @discardableResult
    func appendHistory() throws -> [Event] {
        let events = [
            Event(.newRevision, .info, revision: "abc", message: "new revision abc", time: Self.start),
            Event(.driftDetected, .warning, resource: Self.conf, revision: "abc", message: "content differs", time: Self.start + 1),
            Event(.syncStarted, .info, revision: "abc", message: "applying abc: 2 change(s)", time: Self.start + 2),
            Event(.resourceUpdated, .info, resource: Self.conf, revision: "abc", message: "updated etc/conf", time: Self.start + 3),
            Event(.resourceCreated, .info, resource: Self.site, revision: "abc", message: "created srv/www", time: Self.start + 4),
            Event(.syncFailed, .error, revision: "abc", message: "1 failure", time: Self.start + 5),
        ]
        return try events.map { try store.append($0) }
    }

    // MARK: Journal

    @Test func appendedEventsComeBackInOrderWithIncreasingSequence() throws {
        let written = try appendHistory()
        #expect(written.map(\.sequence) == [1, 2, 3, 4, 5, 6])
        let read = try store.events()
        #expect(read == written)
        #expect(read.map(\.reason) == [.newRevision, .driftDetected, .syncStarted, .resourceUpdated, .resourceCreated, .syncFailed])
        #expect(read[1].resource == "File/conf")
        #expect(read[1].level == .warning)
        #expect(read[1].revision == "abc")
        #expect(read[1].message == "content differs")
        #expect(read[1].time == Self.start + 1)
        #expect(read[0].resource == nil)
    }

    @Test func eventsAfterASequence() throws {
        try appendHistory()
        #expect(try store.events(after: 4).map(\.sequence) == [5, 6])
        #expect(try store.events(after: 6).isEmpty)
    }

    @Test func eventsOfOneResource() throws {
        try appendHistory()
        #expect(try store.events(resource: "File/conf").map(\.message) == ["content differs", "updated etc/conf"])
        #expect(try store.events(resource: "Symlink/none").isEmpty)
    }

    @Test func lastKeepsTheNewestInOldestFirstOrder() throws {
        try appendHistory()
        #expect(try store.events(last: 2).map(\.sequence) == [5, 6])
        #expect(try store.events(last: 100).count == 6)
    }

    @Test func filtersCombine() throws {
        try appendHistory()
        #expect(try store.events(after: 2, resource: "File/conf", last: 5).map(\.sequence) == [4])
        #expect(try store.events(after: 0, resource: "File/conf", last: 1).map(\.message) == ["updated etc/conf"])
    }

    @Test func eventsSurviveReopeningTheDatabase() throws {
        let written = try appendHistory()
        let reopened = try StateStore(path: path)
        #expect(try reopened.events() == written)
        // And the journal goes on where it stopped.
        #expect(try reopened.append(Event(.syncSucceeded, .info, message: "done", time: Self.start + 9)).sequence == 7)
    }

    @Test func controlCharactersInMessagesAreStoredAsGiven() throws {
        // The journal keeps the raw text; escaping is for display.
        try store.append(Event(.manifestInvalid, .error, message: "bad \u{1B}[31m name\nsecond line", time: Self.start))
        #expect(try store.events().map(\.message) == ["bad \u{1B}[31m name\nsecond line"])
    }

    // MARK: Meta

    @Test func metaSetGetAndClear() throws {
        #expect(try store.meta(.appliedRevision) == nil)
        try store.setMeta(.appliedRevision, "abc")
        try store.setMeta(.lastSeenHead, "def")
        #expect(try store.meta(.appliedRevision) == "abc")
        try store.setMeta(.appliedRevision, "ghi")
        #expect(try store.meta(.appliedRevision) == "ghi")
        try store.setMeta(.appliedRevision, nil)
        #expect(try store.meta(.appliedRevision) == nil)
        #expect(try store.meta(.lastSeenHead) == "def")
        #expect(try StateStore(path: path).meta(.lastSeenHead) == "def")
    }

    // MARK: Inventory

    @Test func inventoryRecordReplaceAndForget() throws {
        let conf = InventoryEntry(id: Self.conf, kind: .file, path: "etc/conf", blob: "0123456789abcdef0123456789abcdef01234567", mode: 0o644, revision: "abc", sensitive: false)
        let site = InventoryEntry(id: Self.site, kind: .directory, path: "srv/www", blob: "", mode: 0o755, revision: "abc", sensitive: false)
        try store.record(conf)
        try store.record(site)
        #expect(try store.inventory() == [Self.conf: conf, Self.site: site])

        let newer = InventoryEntry(id: Self.conf, kind: .file, path: "etc/conf", blob: "fedcba9876543210fedcba9876543210fedcba98", mode: 0o600, revision: "def", sensitive: false)
        try store.record(newer)
        #expect(try store.inventory()[Self.conf] == newer)

        try store.forget(Self.conf)
        #expect(try store.inventory() == [Self.site: site])
        #expect(try StateStore(path: path).inventory() == [Self.site: site])
    }

    @Test func inventoryKeepsANameWithSlashes() throws {
        let id = ResourceID(kind: "File", name: "site/css/site.css")
        let entry = InventoryEntry(id: id, kind: .file, path: "srv/www/css/site.css", blob: "x", mode: 0o644, revision: "abc", sensitive: false)
        try store.record(entry)
        #expect(try store.inventory()[id] == entry)
    }

    // MARK: Stat cache

    @Test func statIndexRoundTrip() throws {
        let a = StatCacheEntry(
            stat: TargetFileSystem.Stat(type: S_IFREG, mode: 0o644, size: 12, mtime: 1_700_000_000_123_456_789, ctime: 1_700_000_001_000_000_001, inode: 42),
            blob: "0123456789abcdef0123456789abcdef01234567", recorded: 1_700_000_100_000_000_000)
        let b = StatCacheEntry(
            stat: TargetFileSystem.Stat(type: S_IFREG, mode: 0o4755, size: 0, mtime: 0, ctime: 0, inode: UInt64.max - 1),
            blob: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", recorded: 1)
        #expect(try store.statIndex().count == 0)
        // Slot 1 is a resource with no entry (a directory, say); "extra" is a file outside the list.
        try store.saveStatIndex(StatIndex.Parts(revision: "r1", slots: [a, nil, b], others: ["srv/extra": b]))
        let index = try StateStore(path: path).statIndex()
        #expect(index.revision == "r1")
        #expect(index.count == 3)
        #expect(index.entry(at: 0) == a)
        #expect(index.entry(at: 1) == nil)
        #expect(index.entry(at: 2) == b)
        #expect(index.blob(at: 0, equals: a.blob))
        #expect(!index.blob(at: 0, equals: b.blob))
        #expect(index.others == ["srv/extra": b])
        // Read by path through the paths the slots follow, as for another revision.
        #expect(index.byPath(["etc/a", "etc/dir", "etc/b"]) == ["etc/a": a, "etc/b": b, "srv/extra": b])
    }

    // MARK: Desired-state cache

    @Test(arguments: [0, 1, 3])
    func aDesiredStateComesBackAsItWasStored(_ files: Int) throws {
        let origin = SourceLocation(file: "resources/a.yaml", line: 3, column: 7)
        let site = ResourceID(kind: "Directory", name: "site")
        var resources = [
            DesiredResource(id: ResourceID(kind: "File", name: "token"), path: "etc/token",
                            shape: .file(blob: "0123456789abcdef0123456789abcdef01234567", inline: Array("s3cret\n".utf8), mode: 0o600),
                            sensitive: true, origin: origin),
            DesiredResource(id: site, path: "srv/site", shape: .directory(DirectorySpec(mode: 0o750, prune: true, purge: true, ignore: IgnoreRules(patterns: ["*.swp", "!keep.swp"]), ignoredInSource: 2)), sensitive: false, origin: origin),
            DesiredResource(id: ResourceID(kind: "Symlink", name: "current"), path: "srv/current", shape: .symlink(target: "site"),
                            sensitive: false, origin: origin, ownership: Ownership(user: .name("www-data"), group: .number(33))),
            DesiredResource(id: ResourceID(kind: "Directory", name: "home"), path: "", shape: .directory(DirectorySpec(mode: nil)),
                            sensitive: false, origin: origin),
        ]
        resources += (0..<files).map { n in
            DesiredResource(id: ResourceID(kind: "File", name: "site/f\(n)"), path: "srv/site/f\(n)",
                            shape: .file(blob: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", inline: nil, mode: 0o644),
                            sensitive: false, origin: origin, owner: site)
        }
        var settings = Settings()
        settings.interval = .milliseconds(1500)
        settings.prune = true
        let state = DesiredState(revision: "r\(files)", resources: resources, settings: settings)
        try store.storeDesiredState(state, path: "sub", host: "h")
        let back = try #require(StateStore(path: path).cachedDesiredState(revision: "r\(files)", path: "sub", host: "h"))
        #expect(back.resources == state.resources)
        #expect(back.settings == settings)
        #expect(store.cachedDesiredState(revision: "r\(files)", path: "", host: "h") == nil, "kept per source path")
    }

    /// A cache cut short anywhere, or whose part claims more resources than it holds, reads as
    /// damaged (and is rebuilt), never as a shorter desired state, also when one part decoded
    /// whole before the other failed.
    @Test func aDamagedDesiredStateCacheReadsAsDamaged() throws {
        let origin = SourceLocation(file: "resources/a.yaml", line: 1, column: 1)
        let resources = (0..<40).map { n in
            DesiredResource(id: ResourceID(kind: "File", name: "f\(n)"), path: "etc/f\(n)",
                            shape: .file(blob: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", inline: nil, mode: 0o644),
                            sensitive: false, origin: origin)
        }
        let bytes = CacheCoding.encode(DesiredState(revision: "r", resources: resources, settings: Settings()))
        let whole = try bytes.withUnsafeBytes { try CacheCoding.decodeDesiredState($0) }
        #expect(whole.resources == resources.sorted { $0.path < $1.path })
        for cut in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: BinaryReader.Corrupt.self, "cut at \(cut) of \(bytes.count)") {
                try bytes.prefix(cut).withUnsafeBytes { try CacheCoding.decodeDesiredState($0) }
            }
        }
        // The second part's count (each part starts with its 20; no other field here is 20) one
        // more than it holds: the first part decodes, the second fails.
        let twenty = withUnsafeBytes(of: Int64(20).littleEndian, Array.init)
        let starts = bytes.indices.dropLast(7).filter { Array(bytes[$0..<$0 + 8]) == twenty }
        try #require(starts.count == 2)
        var inflated = bytes
        inflated.replaceSubrange(starts[1]..<starts[1] + 8, with: withUnsafeBytes(of: Int64(21).littleEndian, Array.init))
        #expect(throws: BinaryReader.Corrupt.self) { try inflated.withUnsafeBytes { try CacheCoding.decodeDesiredState($0) } }
    }

    @Test func anEmptyDesiredStateComesBackEmpty() throws {
        try store.storeDesiredState(DesiredState(revision: "empty", resources: [], settings: Settings()), path: "", host: "h")
        #expect(try #require(store.cachedDesiredState(revision: "empty", path: "", host: "h")).resources.isEmpty)
    }

    // MARK: Manifest cache

    @Test func parsedManifestsAreCachedByBlobAndFile() throws {
        let parsed = ManifestParser.parse(Array("kind: File\nname: a\nspec:\n  path: a\n  content: x\n".utf8), file: "resources/a.yaml")
        #expect(store.cachedManifest(blob: "b1", file: "resources/a.yaml") == nil)
        store.storeManifest(parsed, blob: "b1", file: "resources/a.yaml")
        #expect(store.cachedManifest(blob: "b1", file: "resources/a.yaml") == parsed)
        // The same blob under another name carries other locations: not the same entry.
        #expect(store.cachedManifest(blob: "b1", file: "resources/b.yaml") == nil)
    }
}
