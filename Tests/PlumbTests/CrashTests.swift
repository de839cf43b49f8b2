import Foundation
import Testing
import TestSupport

/// kill -9 in the middle of a sync: no half-written file, and the next run converges.
@Suite struct CrashTests {
    @Test func aSyncKilledMidApplyLeavesWholeFilesAndTheNextRunConverges() throws {
        let fx = try PlumbFixture()
        let count = 1500
        let body = String(repeating: "0123456789abcdef", count: 256)
        for n in 0..<count { try fx.source.write("files/many/f\(n).txt", "file \(n)\n" + body) }
        try fx.source.write("resources/many.yaml", "kind: Directory\nname: many\nspec:\n  path: many\n  source: files/many\n")
        try fx.source.commit("many files")

        let process = try fx.spawn(["sync"])
        // Kill it once it has written some files but not all.
        let deadline = Date().addingTimeInterval(60)
        var written = 0
        while Date() < deadline {
            written = (try? FileManager.default.contentsOfDirectory(atPath: fx.target.file("many")).count) ?? 0
            if written > 20 { break }
            usleep(2_000)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: fx.target.file("many"))) ?? []
        #expect(names.filter { $0.hasSuffix(".txt") }.count < count, "the kill came too late to test anything")

        // Every file in place is whole: the old content or the new, never a part.
        for name in names where name.hasSuffix(".txt") {
            let n = name.dropFirst().dropLast(4)
            #expect(fx.target.read("many/\(name)") == "file \(n)\n" + body)
        }

        let again = try fx.plumb("sync")
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try fx.plumb("status").status == 0)
        let after = try FileManager.default.contentsOfDirectory(atPath: fx.target.file("many"))
        #expect(after.count == count)
        #expect(!after.contains { $0.hasPrefix(".plumb-tmp-") })
    }
}
