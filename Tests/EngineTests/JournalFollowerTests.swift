import Foundation
import Testing
@testable import Engine
import Synchronization
import TestSupport

/// The console hears its own events as it writes them and the follower brings the others: each
/// event arrives once, whoever wrote it.
@Suite struct JournalFollowerTests {
    @Test func ownEventsArriveAsWrittenAndTheFollowerBringsOnlyTheOthers() throws {
        let scratch = try Scratch()
        let stateDir = StateDirectory(path: scratch.path)
        let mine = try StateStore(path: stateDir.database)
        // Another process writing to the same state dir: its own connection, no listener.
        let theirs = try StateStore(path: stateDir.database)
        let follower = try JournalFollower(store: mine, stateDir: stateDir, after: 0)
        let heard = Mutex<[Event]>([])
        mine.onAppend { events in
            follower.deliveredElsewhere(events)
            heard.withLock { $0 += events }
        }
        _ = try mine.append(Event(.driftDetected, .warning, message: "mine, one"))
        _ = try theirs.append(Event(.syncSucceeded, .info, message: "theirs"))
        try mine.append([Event(.driftResolved, .info, message: "mine, two"), Event(.driftResolved, .info, message: "mine, three")])
        #expect(heard.withLock { $0.map(\.message) } == ["mine, one", "mine, two", "mine, three"], "heard as written, with sequences")
        #expect(heard.withLock { $0.allSatisfy { $0.sequence > 0 } })
        #expect(try follower.next(timeout: .seconds(2)).map(\.message) == ["theirs"], "the follower passes over what was heard")
        _ = try theirs.append(Event(.syncSucceeded, .info, message: "theirs again"))
        #expect(try follower.next(timeout: .seconds(2)).map(\.message) == ["theirs again"])
    }
}
