import Foundation
import Testing
import TestSupport

/// `plumb themes`: every built-in and user theme listed, each checked, a mistake named by place.
@Suite struct ThemesCommandTests {
    @Test func listsBuiltInsAndUserThemesAndNamesTheMistake() throws {
        let config = try Scratch()
        try FileManager.default.createDirectory(atPath: config.file("plumb/themes"), withIntermediateDirectories: true)
        try "name: light\nroles:\n  normal: { fg: black }\n".write(toFile: config.file("plumb/themes/light.yaml"), atomically: true, encoding: .utf8)
        let env = ["XDG_CONFIG_HOME": config.path]
        let good = try run(PlumbBinary.path, ["themes"], env: env)
        #expect(good.status == 0, "\(good.stderr)")
        for name in ["default", "light", "high-contrast", "monochrome"] { #expect(good.stdout.contains(name)) }
        #expect(good.stdout.contains("replaced by yours"), "the user's light wins over the built-in: \(good.stdout)")
        try "name: mine\nroles:\n  drift: { fg: pinkish }\n".write(toFile: config.file("plumb/themes/mine.yaml"), atomically: true, encoding: .utf8)
        let bad = try run(PlumbBinary.path, ["themes"], env: env)
        #expect(bad.status == 1)
        #expect(bad.stdout.contains("INVALID"))
        #expect(bad.stderr.contains("plumb/themes/mine.yaml:3:16: bad colour `pinkish`"), "\(bad.stderr)")
        let json = try run(PlumbBinary.path, ["themes", "--json"], env: env)
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.count == 6)
        #expect(rows.filter { $0["valid"] as? Bool == false }.count == 1)
    }
}
