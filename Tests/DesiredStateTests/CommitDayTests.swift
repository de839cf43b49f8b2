import Foundation
import Testing
import VersionSource

/// A commit's day as history lists print it: what Foundation's ISO 8601 style says, in UTC,
/// around midnights, leap days and before 1970 (before 1582 Foundation turns Julian; ISO 8601 and
/// this stay Gregorian).
@Suite struct CommitDayTests {
    static let foundation = Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day().dateSeparator(.dash)

    @Test(arguments: [0, 86_399, 86_400, -1, -86_401, 951_782_400, 951_868_799, 1_709_164_800, 1_796_236_165.9,
                      253_402_300_799, -2_208_988_800])
    func aDayReadsAsFoundationWritesIt(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        let commit = Commit(sha: String(repeating: "a", count: 40), author: "A", time: date, subject: "s")
        #expect(commit.day == date.formatted(Self.foundation), "\(seconds)")
    }
}
