import Foundation
import Testing
@testable import Engine

/// A cached hash is reused only while the file's stat is unchanged and was not modified within
/// the racy window of the hashing.
@Suite struct StatCacheTests {
    static let second: Int64 = 1_000_000_000
    static let mtime: Int64 = 1_700_000_000 * second
    static let stat = TargetFileSystem.Stat(type: S_IFREG, mode: 0o644, size: 120, mtime: mtime, ctime: mtime + 5, inode: 4242)
    /// Hashed a minute after the last change: well outside the racy window.
    static let entry = StatCacheEntry(stat: stat, blob: "0123456789abcdef0123456789abcdef01234567", recorded: mtime + 60 * second)

    @Test func sameStatAndOldMtimeIsTrusted() {
        #expect(Self.entry.trusted(for: Self.stat))
    }

    @Test(arguments: [
        ("size", changing(size: 121)),
        ("mtime", changing(mtime: mtime + 1)),
        ("ctime", changing(ctime: mtime + 6)),
        ("inode", changing(inode: 4243)),
        ("mode", changing(mode: 0o600)),
    ])
    func anyStatFieldDifferingIsNotTrusted(_ field: String, _ current: TargetFileSystem.Stat) {
        #expect(!Self.entry.trusted(for: current), "a different \(field) must make plumb hash the file again")
    }

    @Test(arguments: [0, 1, StatCacheEntry.racyWindow / 2, StatCacheEntry.racyWindow - 1, StatCacheEntry.racyWindow])
    func modifiedWithinTheRacyWindowOfTheHashingIsNotTrusted(_ hashedAfter: Int64) {
        // The same second of a coarse filesystem clock could hide a later write of the same size.
        let entry = StatCacheEntry(stat: Self.stat, blob: Self.entry.blob, recorded: Self.mtime + hashedAfter)
        #expect(!entry.trusted(for: Self.stat))
    }

    @Test func modifiedJustOutsideTheRacyWindowIsTrusted() {
        let entry = StatCacheEntry(stat: Self.stat, blob: Self.entry.blob, recorded: Self.mtime + StatCacheEntry.racyWindow + 1)
        #expect(entry.trusted(for: Self.stat))
    }

    @Test func mtimeInTheFutureOfTheHashingIsNotTrusted() {
        let entry = StatCacheEntry(stat: Self.stat, blob: Self.entry.blob, recorded: Self.mtime - 10 * Self.second)
        #expect(!entry.trusted(for: Self.stat))
    }
}

private func changing(size: Int = StatCacheTests.stat.size, mtime: Int64 = StatCacheTests.stat.mtime, ctime: Int64 = StatCacheTests.stat.ctime,
                      inode: UInt64 = StatCacheTests.stat.inode, mode: UInt32 = StatCacheTests.stat.mode) -> TargetFileSystem.Stat {
    TargetFileSystem.Stat(type: S_IFREG, mode: mode, size: size, mtime: mtime, ctime: ctime, inode: inode)
}

private let mtime = StatCacheTests.mtime
