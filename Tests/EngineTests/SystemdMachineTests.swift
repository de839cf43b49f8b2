import Foundation
import Testing
import TestSupport

/// The test machine for Service resources (issue 12) is a real systemd: it boots, runs a unit,
/// and leaves the machine's own `/tmp` alone. Skipped, with the reason, where it cannot boot.
@Suite(.serialized, .enabled(if: SystemdMachine.unavailable == nil, Comment(rawValue: SystemdMachine.unavailable ?? "")))
struct SystemdMachineTests {
    @Test func aUnitStartsStopsAndRestartsForReal() throws {
        let canary = NSTemporaryDirectory() + "/plumb-systemd-canary-\(UUID().uuidString)"
        try "keep\n".write(toFile: canary, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: canary) }
        let machine = try SystemdMachine()
        try machine.install(unit: "sleeper.service", "[Service]\nExecStart=/bin/sleep infinity\n")
        #expect(try machine.property("ActiveState", of: "sleeper.service") == "inactive")
        #expect(try machine.run("systemctl", ["start", "sleeper.service"]).status == 0)
        #expect(try machine.property("ActiveState", of: "sleeper.service") == "active")
        let first = try machine.property("MainPID", of: "sleeper.service")
        #expect(try machine.run("systemctl", ["restart", "sleeper.service"]).status == 0)
        #expect(try machine.property("MainPID", of: "sleeper.service") != first, "a restart is a new process")
        #expect(try machine.run("systemctl", ["stop", "sleeper.service"]).status == 0)
        #expect(try machine.property("ActiveState", of: "sleeper.service") == "inactive")
        #expect(FileManager.default.fileExists(atPath: canary), "the machine's own /tmp is untouched")
    }
}
