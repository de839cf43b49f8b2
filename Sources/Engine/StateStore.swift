import Foundation
import Synchronization
import GRDB
import GRDBSQLite
import CSystemCalls
import DesiredState

/// What plumb last applied for one resource: the ground for prune decisions and backups.
public struct InventoryEntry: Sendable, Hashable {
    public let id: ResourceID
    public let kind: ResourceKind
    public let path: String
    /// The blob id of what plumb wrote (link text for a symlink, "" for a directory).
    public let blob: String
    public let mode: UInt32
    public let revision: String
    /// Its content is never shown, even once it is no longer declared.
    public let sensitive: Bool

    /// A File, Directory or Symlink (a path of the target), not a Service.
    public var isInTarget: Bool { kind.isInTarget }

    /// For a Service, what plumb did to its unit (its `path` is the unit's name): what a prune undoes.
    public var footprint: ServiceFootprint { ServiceFootprint(rawValue: mode) }
}

/// What plumb did to a Service's unit, kept in its inventory entry: a prune stops only a unit
/// plumb started, and disables only one plumb enabled.
public struct ServiceFootprint: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let started = ServiceFootprint(rawValue: 1)
    public static let enabled = ServiceFootprint(rawValue: 2)
}

/// What plumb knew of a file the last time it hashed it. An entry is trusted only while size,
/// mtime, ctime and inode are unchanged and the file was not modified within `racyWindow` of the
/// hashing (a change inside the filesystem's timestamp granularity would otherwise go unseen).
public struct StatCacheEntry: Sendable, Hashable {
    public static let racyWindow: Int64 = 2_000_000_000

    public let stat: TargetFileSystem.Stat
    public let blob: String
    /// When the hash was taken, in nanoseconds since 1970.
    public let recorded: Int64

    public func trusted(for current: TargetFileSystem.Stat) -> Bool {
        Self.trusted(stat, recorded: recorded, for: current)
    }

    static func trusted(_ stat: TargetFileSystem.Stat, recorded: Int64, for current: TargetFileSystem.Stat) -> Bool {
        current.size == stat.size && current.mtime == stat.mtime && current.ctime == stat.ctime
            && current.inode == stat.inode && current.mode == stat.mode && current.type == stat.type
            && current.mtime + racyWindow < recorded
    }
}

/// A copy of content plumb replaced or removed without having written it.
public struct Backup: Sendable, Hashable {
    public let resource: ResourceID
    public let path: String
    public let file: String
}

/// The state dir's SQLite database (WAL): meta values, inventory, stat cache, journal, backups
/// and parsed manifests. Migrations make its schema.
public final class StateStore: Sendable, ManifestCache {
    /// What a store is opened for, which decides how it reaches its database.
    public enum Use: Sendable {
        /// A command that reads in turn and ends (`history`, `events`): one connection. A pool cost
        /// each such command a second connection and GRDB's check of the log file through
        /// Foundation, which looks its owner up in the user database: 1.1 of `history`'s 7.7 ms.
        case reading
        /// A command that observes the target and ends (`status`, `diff`, `sync`): a pool, so the
        /// stat cache is read while the desired state decodes (one connection made `status` on
        /// 10,000 files 2.7 ms slower), and the caches decoded where SQLite maps them.
        case observing
        /// The agent and the console: a pool, and the caches read rather than mapped, so that
        /// hours of running do not keep each connection's mapped pages resident (58 of the
        /// console's 202 MiB at 100,000 files, and no slower).
        case running
    }

    /// The connections, as `Use` says.
    let database: any DatabaseWriter
    /// The database file; its write-ahead log is beside it (`-wal`).
    let path: String

    public init(path: String, use: Use = .running) throws {
        self.path = path
        try Self.checkNotDamaged(path)
        var config = Configuration()
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            // The WAL file outlives the last connection: otherwise every open (every command) writes
            // and syncs a transaction only to make one, and every close checkpoints and deletes it.
            var persist: CInt = 1
            let code = sqlite3_file_control(db.sqliteConnection, nil, SQLITE_FCNTL_PERSIST_WAL, &persist)
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code)) }
            // Nor does the last connection to close copy the log into the database: a command
            // that only reads (history, events, status) would otherwise write and fsync three
            // times as it ends, every run. The log is emptied by `compactJournal` and by SQLite's
            // own checkpoints as writes commit.
            let kept = plumb_sqlite_keep_log_on_close(UnsafeMutableRawPointer(db.sqliteConnection))
            guard kept == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: kept)) }
            // The log lets `plumb status` read while the agent writes. The file keeps the mode, so
            // only the first open of a new database sets it (a pool sets it itself, before this).
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw DatabaseError(message: "SQLite could not keep a write-ahead log for \(path)")
                }
            }
            // FULL: a journalled event survives power loss, not only a crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // A command decodes the caches (a megabyte for ten thousand files) where they lie.
            if use != .running { try db.execute(sql: "PRAGMA mmap_size = 268435456") }
        }
        do {
            database = try Self.open(path, config, use)
            try Self.migrator.migrate(database)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB {
            throw StateError(Self.damaged(path, "SQLite says: \(error.message ?? "\(error.resultCode)")"))
        }
        // Only its owner may read it: it holds content plumb applied, sensitive content included.
        for file in [path, path + "-wal", path + "-shm"] { chmod(file, 0o600) }
    }

    /// Refuses a database file that cannot be whole (cut short, or not SQLite's): opening it
    /// would make a new empty one over the journal, the inventory and the applied revision.
    static func checkNotDamaged(_ path: String) throws {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { return }
        var header = [UInt8](repeating: 0, count: 100)
        let n = read(fd, &header, header.count)
        let magic = Array("SQLite format 3\0".utf8)
        guard n == 100, header.starts(with: magic) else {
            throw StateError(damaged(path, info.st_size == 0 ? "it is empty" : "it is not an SQLite database"))
        }
        // The page size (bytes 16-17, 1 meaning 65536): a whole database is a number of pages.
        let raw = Int(header[16]) << 8 | Int(header[17])
        let pageSize = raw == 1 ? 65536 : raw
        if pageSize < 512 || Int(info.st_size) % pageSize != 0 {
            throw StateError(damaged(path, "it was cut short (\(info.st_size) bytes, not a whole number of \(pageSize)-byte pages)"))
        }
    }

    /// What to say of a damaged database, and how to recover.
    static func damaged(_ path: String, _ why: String) -> String {
        """
        the state database \(path) is damaged: \(why). plumb leaves it as it is. To start again, move it aside \
        (mv \(path) \(path).damaged) and run plumb again: the journal, the inventory of what plumb applied and \
        the applied revision are then forgotten, so prune will keep what it no longer knows it wrote
        """
    }

    /// Opens the database, waiting out another process that opens it at the same moment: switching a
    /// new database to WAL takes a lock that SQLite's busy timeout does not wait for, so the
    /// second opener (an agent starting while `plumb events` looks) would fail at once.
    private static func open(_ path: String, _ config: Configuration, _ use: Use) throws -> any DatabaseWriter {
        let deadline = Date().addingTimeInterval(10)
        while true {
            do {
                switch use {
                case .reading: return try DatabaseQueue(path: path, configuration: config)
                case .observing, .running: return try DatabasePool(path: path, configuration: config)
                }
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(20_000)
            }
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE inventory(id TEXT PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL,
                    blob TEXT NOT NULL, mode INTEGER NOT NULL, revision TEXT NOT NULL, sensitive INTEGER NOT NULL);
                CREATE TABLE caches(name TEXT PRIMARY KEY, updated REAL NOT NULL, data BLOB NOT NULL);
                CREATE TABLE events(seq INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, level TEXT NOT NULL,
                    reason TEXT NOT NULL, resource TEXT, revision TEXT, message TEXT NOT NULL);
                CREATE INDEX events_by_resource ON events(resource, seq);
                CREATE TABLE backups(id INTEGER PRIMARY KEY AUTOINCREMENT, time REAL NOT NULL, resource TEXT NOT NULL,
                    path TEXT NOT NULL, file TEXT NOT NULL);
                CREATE TABLE manifests(blob TEXT NOT NULL, file TEXT NOT NULL, parsed BLOB NOT NULL,
                    PRIMARY KEY(blob, file)) WITHOUT ROWID;
                """)
        }
        migrator.registerMigration("v2 requests") { db in
            try db.execute(sql: """
                CREATE TABLE requests(id INTEGER PRIMARY KEY AUTOINCREMENT, request BLOB NOT NULL,
                    taken INTEGER NOT NULL DEFAULT 0, answer BLOB);
                """)
        }
        migrator.registerMigration("v3 proposals") { db in
            // The proposals seen at the source, for ProposalOpened once per proposal, and the head
            // whose policy violations were journalled, for PolicyViolation once per head.
            try db.execute(sql: """
                CREATE TABLE proposals(name TEXT PRIMARY KEY, head TEXT NOT NULL, violationsJournalled TEXT);
                """)
        }
        migrator.registerMigration("v4 manifests read again") { db in
            // The manifest reader learned `decrypt`: what it parsed before is parsed again.
            try db.execute(sql: "DELETE FROM manifests")
        }
        migrator.registerMigration("v5 alerts") { db in
            // Per alert route (as written): the last event delivered, and the one whose failure
            // was journalled; and which route each AlertFailed is about, so it is not sent there.
            try db.execute(sql: """
                CREATE TABLE alertRoutes(route TEXT PRIMARY KEY, delivered INTEGER NOT NULL, failureJournalled INTEGER NOT NULL DEFAULT 0);
                CREATE TABLE alertFailures(seq INTEGER PRIMARY KEY, route TEXT NOT NULL);
                """)
        }
        migrator.registerMigration("v6 inventory by kind") { db in
            // Every observation asks whether plumb applied a Service: without it, a scan of the
            // whole inventory (a millisecond of each `status` on 10,000 files).
            try db.execute(sql: "CREATE INDEX inventory_by_kind ON inventory(kind)")
        }
        return migrator
    }

    /// Moves what the write-ahead log holds into the database and empties the log, once it holds
    /// more than 256 KiB: no connection does it as it closes, and every command that opens the
    /// database first (no agent running) reads the whole log to rebuild its index, 7 ms of a
    /// `plumb history` after a sync of 10,000 files. Skipped while another process reads (it is
    /// asked again after the next write).
    public func compactJournal() {
        var info = stat()
        guard lstat(path + "-wal", &info) == 0, info.st_size > 256 << 10 else { return }
        _ = try? database.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    }

    // MARK: Meta

    public enum MetaKey: String, Sendable {
        case appliedRevision, lastSeenHead, lastInvalidRevision, lastFetchError
        /// The revision whose resources the inventory holds exactly, none more: while it is the
        /// head, no applied resource can be an extra and the inventory need not be read.
        case inventoryMatches
        /// The last rewritten head the agent journalled, so it says so once.
        case lastRewrittenHead
        /// The last head whose signature the agent journalled as not verified, so it says so once.
        case lastUnverifiedHead
        /// Set by the agent while its passes fail: why, and when it tries again (RFC 3339).
        case agentError, agentRetryAt
    }

    public func meta(_ key: MetaKey) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key.rawValue]) }
    }

    public func setMeta(_ key: MetaKey, _ value: String?) throws {
        try database.write { db in
            if let value {
                try db.execute(sql: "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", arguments: [key.rawValue, value])
            } else {
                try db.execute(sql: "DELETE FROM meta WHERE key = ?", arguments: [key.rawValue])
            }
        }
    }

    // MARK: Inventory

    public func inventory() throws -> [ResourceID: InventoryEntry] {
        Dictionary(try inventory(where: { _ in true }).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The entries whose id (`Kind/name`) passes `include`; the others are not even decoded.
    public func inventory(where include: (String) -> Bool) throws -> [InventoryEntry] {
        try database.read { db in
            var result: [InventoryEntry] = []
            let rows = try Row.fetchCursor(db, sql: "SELECT id, kind, path, blob, mode, revision, sensitive FROM inventory")
            while let row = try rows.next() {
                let text: String = row[0]
                // A row plumb cannot read is one it does not know it applied: never pruned, the safe side.
                guard include(text), let id = ResourceID(text), let kind = ResourceKind(rawValue: row[1]) else { continue }
                result.append(InventoryEntry(id: id, kind: kind, path: row[2], blob: row[3], mode: UInt32(row[4] as Int64),
                                             revision: row[5], sensitive: row[6]))
            }
            return result
        }
    }

    public func record(_ entry: InventoryEntry) throws {
        try record([entry])
    }

    /// Records many entries in one transaction: a sync that finds 10,000 files as declared would
    /// otherwise commit 10,000 times, seconds of a healing pass.
    public func record(_ entries: [InventoryEntry]) throws {
        guard !entries.isEmpty else { return }
        try database.write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT OR REPLACE INTO inventory(id, kind, path, blob, mode, revision, sensitive) VALUES (?, ?, ?, ?, ?, ?, ?)")
            for entry in entries {
                try statement.execute(arguments: [entry.id.description, entry.kind.rawValue, entry.path, entry.blob, Int64(entry.mode),
                                                  entry.revision, entry.sensitive])
            }
        }
    }

    /// Whether plumb recorded a Service it acts on, which may be an extra now.
    public func inventoryHoldsMachineResources() throws -> Bool {
        try database.read { db in try Bool.fetchOne(db, sql: "SELECT EXISTS(SELECT 1 FROM inventory WHERE kind = ?)", arguments: [ResourceKind.service.rawValue]) ?? false }
    }

    public func forget(_ id: ResourceID) throws {
        try database.write { db in try db.execute(sql: "DELETE FROM inventory WHERE id = ?", arguments: [id.description]) }
    }

    // MARK: Caches

    /// The stat cache: one row, read in place (see `StatIndex`).
    public func statIndex() throws -> StatIndex {
        try withCache("stat") { try? StatIndex.decode([UInt8]($0)) } ?? .empty
    }

    /// The index is the biggest write a `status` makes (a megabyte at 10,000 files): the log it
    /// leaves is emptied at once rather than read again by every command after it.
    func saveStatIndex(_ parts: StatIndex.Parts) throws {
        try saveCache("stat", StatIndex.encode(parts))
        compactJournal()
    }

    /// The folders under a Directory's source last listed clean, if listed for `revision`.
    public func folderCache(revision: String) throws -> [String: FolderEntry] {
        try withCache("folders") { try? CacheCoding.decodeFolders($0, revision: revision) } ?? [:]
    }

    public func saveFolderCache(_ folders: [String: FolderEntry], revision: String) throws {
        try saveCache("folders", CacheCoding.encode(folders, revision: revision))
    }

    /// The desired state of a revision as built earlier, so an unchanged head costs no tree
    /// listing and no manifest checks.
    /// The desired state of a revision for a host, as last loaded (for `--path` `path`).
    public func cachedDesiredState(revision: String, path: String, host: String) -> DesiredState? {
        (try? withCache("desired:\(path):\(host):\(revision)") { try? CacheCoding.decodeDesiredState($0) }) ?? nil
    }

    /// Keeps the desired states of the few newest revisions.
    public func storeDesiredState(_ state: DesiredState, path: String, host: String) throws {
        try saveCache("desired:\(path):\(host):\(state.revision)", CacheCoding.encode(state))
        try database.write { db in
            try db.execute(sql: """
                DELETE FROM caches WHERE name LIKE 'desired:%' AND name NOT IN
                    (SELECT name FROM caches WHERE name LIKE 'desired:%' ORDER BY updated DESC LIMIT 4)
                """)
        }
    }

    /// The newest commits of the branch as read at `head`, if they were.
    func branchHistory(head: String) -> BranchHistory? {
        (try? withCache("history") { try? CacheCoding.decodeBranchHistory($0, head: head) }) ?? nil
    }

    func saveBranchHistory(_ history: BranchHistory) throws {
        try saveCache("history", CacheCoding.encode(history))
    }

    /// What the journal said last of each resource's drift or health: the agent journals a
    /// change of it, not every pass.
    public enum Seen: String, Sendable {
        /// Resources last journalled as drifted, with what was wrong.
        case drift
        /// Resources last journalled as not Healthy, with their health.
        case health
    }

    public func seen(_ what: Seen) throws -> [String: String] {
        try withCache(what.rawValue) { try? JSONDecoder().decode([String: String].self, from: Data($0)) } ?? [:]
    }

    public func saveSeen(_ what: Seen, _ values: [String: String]) throws {
        try saveCache(what.rawValue, Array(try JSONEncoder().encode(values)))
    }

    /// Runs `body` on a cache's bytes where SQLite holds them, without copying a megabyte first.
    private func withCache<T>(_ name: String, _ body: (UnsafeRawBufferPointer) -> T?) throws -> T? {
        try database.read { db in
            let rows = try Row.fetchCursor(db, sql: "SELECT data FROM caches WHERE name = ?", arguments: [name])
            guard let row = try rows.next() else { return nil }
            return try row.withUnsafeData(atIndex: 0) { data in data.flatMap { $0.withUnsafeBytes(body) } }
        }
    }

    private func saveCache(_ name: String, _ bytes: [UInt8]) throws {
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO caches(name, updated, data) VALUES (?, ?, ?)",
                           arguments: [name, Date().timeIntervalSince1970, Data(bytes)])
        }
    }

    // MARK: Journal

    @discardableResult
    public func append(_ event: Event) throws -> Event {
        try database.write { db in
            let written = try Self.insert(event, into: db)
            tellListener([written])
            return written
        }
    }

    /// Appends many events in one transaction: the agent's first look at a new target may find
    /// ten thousand resources missing, which one commit each would make take minutes.
    public func append(_ events: [Event]) throws {
        guard !events.isEmpty else { return }
        try database.write { db in
            tellListener(try events.map { try Self.insert($0, into: db) })
        }
    }

    /// Who hears of the events this process appends, as it appends them: the console, which then
    /// need not wait for its journal follower to read them back (and wake the screen again).
    private let listener = Mutex<(@Sendable ([Event]) -> Void)?>(nil)

    /// Hands every event this process appends to `listen`, with its sequence, before its
    /// transaction commits: a follower reading the journal cannot see it before `listen` has.
    public func onAppend(_ listen: @escaping @Sendable ([Event]) -> Void) {
        listener.withLock { $0 = listen }
    }

    private func tellListener(_ events: [Event]) {
        listener.withLock { $0 }?(events)
    }

    private static func insert(_ event: Event, into db: Database) throws -> Event {
        try db.execute(
            sql: "INSERT INTO events(time, level, reason, resource, revision, message) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [event.time.timeIntervalSince1970, event.level.rawValue, event.reason.rawValue,
                        event.resource, event.revision, event.message])
        var written = event
        written.sequence = db.lastInsertedRowID
        return written
    }

    /// Events after `sequence`, oldest first; with `last`, only the newest that many.
    public func events(after sequence: Int64 = 0, resource: String? = nil, last: Int? = nil) throws -> [Event] {
        try events(after: sequence, resource: resource, last: last, oldestFirst: false)
    }

    /// The oldest `count` events after `sequence`: the next ones an alert route delivers.
    func events(after sequence: Int64, first count: Int) throws -> [Event] {
        try events(after: sequence, resource: nil, last: count, oldestFirst: true)
    }

    private func events(after sequence: Int64, resource: String?, last: Int?, oldestFirst: Bool) throws -> [Event] {
        try database.read { db in
            var sql = "SELECT seq, time, level, reason, resource, revision, message FROM events WHERE seq > ?"
            var arguments: StatementArguments = [sequence]
            if let resource {
                sql += " AND resource = ?"
                arguments += [resource]
            }
            sql += oldestFirst ? " ORDER BY seq" : " ORDER BY seq DESC"
            if let last {
                sql += " LIMIT ?"
                arguments += [last]
            }
            let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
            return try (oldestFirst ? rows : rows.reversed()).compactMap { row in
                guard let level = Event.Level(rawValue: row[2]), let reason = Event.Reason(rawValue: row[3]) else { return nil }
                return Event(sequence: row[0], time: Date(timeIntervalSince1970: row[1]), level: level, reason: reason,
                             resource: row[4], revision: row[5], message: row[6])
            }
        }
    }

    /// The sequence of the newest event; 0 for an empty journal.
    public func lastSequence() throws -> Int64 {
        try database.read { db in try Int64.fetchOne(db, sql: "SELECT MAX(seq) FROM events") ?? 0 }
    }

    // MARK: Alerts

    /// Where a route stands: the last event it delivered (or passed over), and the event whose
    /// failure was journalled; a route seen for the first time starts after `start`.
    func alertCursor(route: String, startingAfter start: Int64) throws -> (delivered: Int64, failureJournalled: Int64) {
        try database.write { db in
            try db.execute(sql: "INSERT OR IGNORE INTO alertRoutes(route, delivered) VALUES (?, ?)", arguments: [route, start])
            let row = try Row.fetchOne(db, sql: "SELECT delivered, failureJournalled FROM alertRoutes WHERE route = ?", arguments: [route])!
            return (row[0], row[1])
        }
    }

    func setAlertCursor(route: String, delivered: Int64) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE alertRoutes SET delivered = ? WHERE route = ?", arguments: [delivered, route])
        }
    }

    /// Journals `AlertFailed` for the route's event `seq`, once, remembering the route it is about.
    func journalAlertFailure(_ event: Event, route: String, about seq: Int64) throws {
        try database.write { db in
            let written = try Self.insert(event, into: db)
            try db.execute(sql: "INSERT INTO alertFailures(seq, route) VALUES (?, ?)", arguments: [written.sequence, route])
            try db.execute(sql: "UPDATE alertRoutes SET failureJournalled = ? WHERE route = ?", arguments: [seq, route])
            tellListener([written])
        }
    }

    /// The route an `AlertFailed` event is about.
    func alertFailureRoute(of seq: Int64) throws -> String? {
        try database.read { db in try String.fetchOne(db, sql: "SELECT route FROM alertFailures WHERE seq = ?", arguments: [seq]) }
    }

    /// The newest event of one resource among `reasons`: a Command's last run.
    public func lastEvent(of resource: ResourceID, among reasons: [Event.Reason]) throws -> Event? {
        try database.read { db in
            let marks = reasons.map { _ in "?" }.joined(separator: ", ")
            let row = try Row.fetchOne(db, sql: """
                SELECT seq, time, level, reason, resource, revision, message FROM events
                WHERE resource = ? AND reason IN (\(marks)) ORDER BY seq DESC LIMIT 1
                """, arguments: StatementArguments([resource.description] + reasons.map(\.rawValue)))
            guard let row, let level = Event.Level(rawValue: row[2]), let reason = Event.Reason(rawValue: row[3]) else { return nil }
            return Event(sequence: row[0], time: Date(timeIntervalSince1970: row[1]), level: level, reason: reason,
                         resource: row[4], revision: row[5], message: row[6])
        }
    }

    // MARK: Sync requests handed to the running engine

    func submit(_ request: SyncRequest) throws -> Int64 {
        let data = try JSONEncoder().encode(request)
        return try database.write { db in
            try db.execute(sql: "INSERT INTO requests(request) VALUES (?)", arguments: [data])
            return db.lastInsertedRowID
        }
    }

    /// The oldest request not taken yet, marked taken.
    func takeRequest() throws -> (Int64, SyncRequest)? {
        try database.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, request FROM requests WHERE taken = 0 ORDER BY id LIMIT 1") else { return nil }
            let id: Int64 = row[0]
            try db.execute(sql: "UPDATE requests SET taken = 1 WHERE id = ?", arguments: [id])
            return (id, try JSONDecoder().decode(SyncRequest.self, from: row[1] as Data))
        }
    }

    func answer(_ id: Int64, with summary: SyncSummary) throws {
        let data = try JSONEncoder().encode(summary)
        try database.write { db in try db.execute(sql: "UPDATE requests SET answer = ? WHERE id = ?", arguments: [data, id]) }
    }

    /// The answer to a request, once there is one; the request is then forgotten.
    func answer(to id: Int64) throws -> SyncSummary? {
        let data = try database.write { db -> Data? in
            let data = try Data.fetchOne(db, sql: "SELECT answer FROM requests WHERE id = ? AND answer IS NOT NULL", arguments: [id])
            if data != nil { try db.execute(sql: "DELETE FROM requests WHERE id = ?", arguments: [id]) }
            return data
        }
        return try data.map { try JSONDecoder().decode(SyncSummary.self, from: $0) }
    }

    /// Removes a request; returns false when it was taken already and `evenIfTaken` is false.
    func withdraw(_ id: Int64, evenIfTaken: Bool) throws -> Bool {
        try database.write { db in
            try db.execute(sql: "DELETE FROM requests WHERE id = ?" + (evenIfTaken ? "" : " AND taken = 0"), arguments: [id])
            return db.changesCount > 0
        }
    }

    // MARK: Proposals seen

    /// The proposals seen last, by name, with their heads.
    func proposalsSeen() throws -> [String: String] {
        try database.read { db in
            Dictionary(try Row.fetchAll(db, sql: "SELECT name, head FROM proposals").map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Records the proposals at the source now; the ones gone are forgotten.
    func saveProposalsSeen(_ heads: [String: String]) throws {
        try database.write { db in
            let known = Set(try String.fetchAll(db, sql: "SELECT name FROM proposals"))
            for name in known where heads[name] == nil { try db.execute(sql: "DELETE FROM proposals WHERE name = ?", arguments: [name]) }
            for (name, head) in heads {
                try db.execute(sql: "INSERT INTO proposals(name, head) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET head = excluded.head",
                               arguments: [name, head])
            }
        }
    }

    /// Marks a proposal head's violations as journalled; false when they were already.
    func markViolationsJournalled(name: String, head: String) throws -> Bool {
        try database.write { db in
            try db.execute(sql: """
                INSERT INTO proposals(name, head, violationsJournalled) VALUES (?, ?, ?)
                ON CONFLICT(name) DO UPDATE SET violationsJournalled = excluded.violationsJournalled
                WHERE violationsJournalled IS NOT excluded.violationsJournalled
                """, arguments: [name, head, head])
            return db.changesCount > 0
        }
    }

    // MARK: Backups

    public func recordBackup(_ backup: Backup) throws {
        try database.write { db in
            try db.execute(sql: "INSERT INTO backups(time, resource, path, file) VALUES (?, ?, ?, ?)",
                           arguments: [Date().timeIntervalSince1970, backup.resource.description, backup.path, backup.file])
        }
    }

    // MARK: Manifest cache

    public func cachedManifest(blob: String, file: String) -> ParsedManifest? {
        let data = try? database.read { db in
            try Data.fetchOne(db, sql: "SELECT parsed FROM manifests WHERE blob = ? AND file = ?", arguments: [blob, file])
        }
        return data.flatMap { try? JSONDecoder().decode(ParsedManifest.self, from: $0) }
    }

    public func cachedRendering(key: String) -> String? {
        (try? withCache("render:\(key)") { String(decoding: $0, as: UTF8.self) }) ?? nil
    }

    /// Keeps the newest few thousand renderings: one per template and values seen lately.
    public func storeRendering(_ text: String, key: String) {
        try? saveCache("render:\(key)", Array(text.utf8))
        try? database.write { db in
            try db.execute(sql: """
                DELETE FROM caches WHERE name LIKE 'render:%' AND name NOT IN
                    (SELECT name FROM caches WHERE name LIKE 'render:%' ORDER BY updated DESC LIMIT 4000)
                """)
        }
    }

    /// What the checks said of a tree against a branch head (`tree:head`).
    func cachedCheckRuns(key: String) -> [CheckRun]? {
        (try? withCache("checks:\(key)") { try? JSONDecoder().decode([CheckRun].self, from: Data($0)) }) ?? nil
    }

    /// Keeps the newest few hundred: one per proposal and branch head seen lately.
    func storeCheckRuns(_ runs: [CheckRun], key: String) {
        guard let data = try? JSONEncoder().encode(runs) else { return }
        try? saveCache("checks:\(key)", Array(data))
        try? database.write { db in
            try db.execute(sql: """
                DELETE FROM caches WHERE name LIKE 'checks:%' AND name NOT IN
                    (SELECT name FROM caches WHERE name LIKE 'checks:%' ORDER BY updated DESC LIMIT 500)
                """)
        }
    }

    public func storeManifest(_ manifest: ParsedManifest, blob: String, file: String) {
        guard let data = try? JSONEncoder().encode(manifest) else { return }
        try? database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO manifests(blob, file, parsed) VALUES (?, ?, ?)", arguments: [blob, file, data])
        }
    }
}
