import Foundation
import Testing
import TestSupport

/// The journal as a user reads it: JSON lines of SPEC's shape, filters, and following.
@Suite struct EventsTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/a.yaml", """
            kind: File
            name: a
            spec:
              path: a.txt
              content: "a\\n"
            ---
            kind: File
            name: b
            spec:
              path: b.txt
              content: "b\\n"
            """)
        try fx.source.commit("a and b")
        try fx.plumb("sync")
    }

    func lines(_ arguments: String...) throws -> [[String: Any]] {
        let result = try fx.plumb(arguments: ["events", "--json"] + arguments)
        #expect(result.status == 0)
        return try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func eachLineIsOneEventOfSpecShape() throws {
        let events = try lines()
        #expect(events.map { $0["reason"] as? String } == [
            "NewRevision", "SyncStarted", "ResourceCreated", "ResourceCreated", "SyncSucceeded",
        ])
        let head = try git(["rev-parse", "HEAD"], cwd: fx.source.work)
        for event in events {
            #expect(Set(event.keys) == ["time", "level", "reason", "resource", "revision", "message"])
            #expect(event["revision"] as? String == head)
            let time = try #require(event["time"] as? String)
            #expect(time.hasSuffix("Z") && time.contains("T"), "RFC 3339 in UTC: \(time)")
        }
        #expect(events[0]["resource"] is NSNull)
        #expect(events[2]["resource"] as? String == "File/a")
        #expect(events[2]["level"] as? String == "info")
    }

    @Test func filtersByCountAndResource() throws {
        #expect(try lines("-n", "2").map { $0["reason"] as? String } == ["ResourceCreated", "SyncSucceeded"])
        let forB = try lines("--resource", "File/b")
        #expect(forB.count == 1)
        #expect(forB.first?["message"] as? String == "created b.txt")
        let text = try fx.plumb("events", "-n", "1")
        #expect(text.stdout.contains("SyncSucceeded"))
        #expect(!text.stdout.contains("SyncStarted"))
    }

    @Test func theStateDirAloneIsEnoughToReadTheJournal() throws {
        let result = try fx.plumb("events", "-n", "1", env: ["PLUMB_REPO": "", "PLUMB_TARGET": ""])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("SyncSucceeded"))
        let none = try fx.plumb("events", env: ["PLUMB_STATE": fx.state.file("nothing-here")])
        #expect(none.status == 1)
        #expect(none.stderr.contains("there is no journal in"))
    }

    @Test func theJournalSurvivesAndFollowersSeeNewEvents() throws {
        let pipe = Pipe()
        let follower = try fx.spawn(["events", "-f", "-n", "1", "--json"], stdout: pipe)
        defer { if follower.isRunning { follower.terminate() } }

        /// Reads what the follower prints until `done` says enough (or 20 seconds pass).
        func read(until done: (String) -> Bool) -> String {
            var seen = ""
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline && !done(seen) {
                let chunk = pipe.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                seen += String(decoding: chunk, as: UTF8.self)
            }
            return seen
        }
        // The follower is ready once it has printed the newest event of the journal so far.
        let first = read { $0.contains("\n") }
        #expect(first.contains("\"reason\":\"SyncSucceeded\""))

        try fx.target.write("a.txt", "changed by hand\n")
        try fx.plumb("sync")
        let later = read { $0.contains("SyncSucceeded") }
        #expect(later.contains("\"reason\":\"ResourceUpdated\""))
        #expect(later.contains("\"reason\":\"SyncSucceeded\""))
        #expect(!later.contains("\"reason\":\"NewRevision\""), "only events after the one it started from")
        follower.terminate()
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0, "SIGTERM ends a follower with exit status 0")
    }

    @Test func followingFromNowPrintsNothingOfThePast() throws {
        let pipe = Pipe()
        let follower = try fx.spawn(["events", "-f", "-n", "0", "--json"], stdout: pipe)
        Thread.sleep(forTimeInterval: 1)
        follower.terminate()
        follower.waitUntilExit()
        #expect(pipe.fileHandleForReading.readDataToEndOfFile().isEmpty)
        #expect(follower.terminationStatus == 0)
    }
}
