import Foundation
import Testing
import TestSupport

/// The stat cache seen from outside: unchanged files are not read again, across new revisions
/// too, and a file changed behind the cache's back is still seen.
@Suite struct StatCacheBehaviourTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        for n in 0..<20 { try fx.source.write("files/conf/f\(n).conf", "value \(n)\n") }
        try fx.source.write("resources/conf.yaml", "kind: Directory\nname: conf\nspec:\n  path: conf\n  source: files/conf\n")
        try fx.source.commit("twenty files")
        try fx.plumb("sync")
        // Move every file's times an hour back, out of the racy window, as if synced long ago.
        for n in 0..<20 { age(fx.target.file("conf/f\(n).conf")) }
        age(fx.target.file("conf"))
    }

    /// How many files a status read and hashed, from its debug log.
    func hashed(_ arguments: String...) throws -> Int {
        let result = try fx.plumb(arguments: ["status"] + arguments, env: ["PLUMB_LOG": "debug"])
        let field = try #require(result.stderr.components(separatedBy: "hashed=").dropFirst().first?.prefix { $0.isNumber })
        return try #require(Int(field))
    }

    @Test func unchangedFilesAreNotReadAgain() throws {
        #expect(try hashed() == 20, "the first status after the sync hashes what it has not seen")
        #expect(try hashed() == 0)
        try fx.target.write("conf/f3.conf", "edited\n")
        #expect(try hashed() == 1)
    }

    @Test func aNewRevisionDoesNotMeanReadingEveryFileAgain() throws {
        #expect(try hashed() == 20)
        try fx.source.write("files/conf/f7.conf", "value seven\n")
        try fx.source.commit("seven")
        #expect(try hashed() == 0, "files already hashed are known by path under the new revision")
        #expect(try fx.plumb("status").status == 2)
    }

    @Test func anEditThatKeepsSizeAndMtimeIsStillSeen() throws {
        try fx.plumb("status")
        #expect(try fx.plumb("status").status == 0)
        // Same size, and the very same mtime put back: only the ctime tells.
        let (before, after) = try fx.target.writeKeepingTimes("conf/f5.conf", "VALUE 5\n")
        #expect(after.st_size == before.st_size && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
        let status = try fx.plumb("status", "--json")
        #expect(status.status == 2)
        #expect(status.stdout.contains("\"message\" : \"content differs\""))
    }
}

/// A big sync leaves the database's write-ahead log emptied, so the commands after it (no agent
/// holding the database open) do not read it whole; and a command that only reads writes nothing.
@Suite struct JournalCompactionTests {
    @Test func commandsThatOnlyReadLeaveTheDatabaseFilesAsTheyWere() throws {
        let fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: hello\n")
        try fx.source.commit("motd")
        #expect(try fx.plumb("sync").status == 0)
        try fx.plumb("history", "--no-fetch")
        func stamps() throws -> [String] {
            try ["state.sqlite", "state.sqlite-wal"].map { name in
                var info = stat()
                guard lstat(fx.state.file("state/\(name)"), &info) == 0 else { throw POSIXError(.ENOENT) }
                return "\(name) \(info.st_size) bytes, modified \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
            }
        }
        let before = try stamps()
        #expect(!before[1].contains(" 0 bytes"), "the log holds the sync's writes: \(before)")
        for _ in 0..<2 {
            #expect(try fx.plumb("history", "--no-fetch").status == 0)
            #expect(try fx.plumb("events", "-n", "3").status == 0)
        }
        // Closing last, a connection used to copy the log into the database with three fsyncs.
        #expect(try stamps() == before)
    }

    @Test func aBigSyncLeavesTheWriteAheadLogEmptied() throws {
        let fx = try PlumbFixture()
        for n in 0..<4000 { try fx.source.write("files/many/d\(n / 100)/f\(n).conf", "value \(n)\n") }
        try fx.source.write("resources/many.yaml", "kind: Directory\nname: many\nspec:\n  path: many\n  source: files/many\n")
        try fx.source.commit("four thousand files")
        let synced = try fx.plumb("sync")
        #expect(synced.status == 0, "\(synced.stderr)")
        let wal = fx.state.file("state/state.sqlite-wal")
        let size = (try FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        #expect(size <= 256 << 10, "the log was moved into the database: \(size) bytes left")
        #expect(try fx.plumb("status").status == 0, "and the database reads as before")
        #expect(fx.target.read("many/d39/f3999.conf") == "value 3999\n")
    }
}
