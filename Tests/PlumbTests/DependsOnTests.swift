import Foundation
import Testing
import TestSupport

/// `dependsOn` with the real binary: the plan shows and keeps the order, and a step whose
/// dependency failed is not applied while unrelated ones are.
@Suite struct DependsOnTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/app.yaml", """
            kind: File
            name: app
            dependsOn: [File/settings]
            spec: {path: a/app.conf, content: "uses settings\\n"}
            ---
            kind: File
            name: settings
            spec: {path: z/settings.conf, content: "settings\\n"}
            ---
            kind: File
            name: unrelated
            spec: {path: m/other.conf, content: "other\\n"}
            """)
        try fx.source.commit("app after its settings")
    }

    @Test func theDryRunShowsTheOrderAndWhatEachWaitsFor() throws {
        let plan = try fx.plumb("sync", "--dry-run")
        #expect(plan.status == 0, "\(plan.stderr)")
        let lines = plan.stdout.split(separator: "\n").map(String.init)
        let settings = try #require(lines.firstIndex { $0.contains("File/settings") })
        let app = try #require(lines.firstIndex { $0.contains("File/app") })
        #expect(settings < app, "\(plan.stdout)")
        #expect(lines[app].contains("a/app.conf (after File/settings)"), "\(plan.stdout)")
        #expect(try fx.plumb("sync").status == 0)
        #expect(fx.target.read("a/app.conf") == "uses settings\n")
    }

    @Test func aFailedDependencyStopsWhatDependsOnItOnly() throws {
        // A file where the settings' folder should be: settings cannot be applied.
        try fx.target.write("z", "in the way\n")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(sync.stdout.contains("not applied: it depends on File/settings, which failed in this sync"), "\(sync.stdout)")
        #expect(!fx.target.exists("a/app.conf"))
        #expect(fx.target.read("m/other.conf") == "other\n", "what does not depend on it is applied")
    }
}
