import Foundation
import Testing
import TestSupport
import ThemeFiles
@testable import Console

/// Themes: the built-ins, how a theme is found, every mistake a theme file can hold, and colours
/// brought down to what a terminal has.
@Suite struct ThemeTests {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The complaints about a theme file `t.yaml`, or nil when it parses.
    func complaints(_ yaml: String) -> String? {
        guard case .failure(let error) = Theme.parse(yaml, file: "t.yaml") else { return nil }
        return error.description
    }

    @Test func everyBuiltInParsesAndStylesEveryRole() {
        #expect(Theme.builtIn.map(\.name) == ["default", "light", "high-contrast", "monochrome"])
        for theme in Theme.builtIn {
            #expect(Set(theme.styles.keys) == Set(Role.allCases), "\(theme.name) leaves out roles")
        }
    }

    @Test func theEmbeddedTextsAreTheFilesInThemes() throws {
        let folder = Self.repositoryRoot.appendingPathComponent("themes")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }
        #expect(files.sorted() == Theme.builtInSources.map { $0.name + ".yaml" }.sorted(), "every file in themes/ is built in")
        for source in Theme.builtInSources {
            let file = try String(contentsOf: folder.appendingPathComponent(source.name + ".yaml"), encoding: .utf8)
            #expect(file == source.text, "themes/\(source.name).yaml differs from its embedded copy")
        }
    }

    @Test func aUserThemeWinsOverTheBuiltInOfTheSameName() throws {
        let first = try Scratch(), second = try Scratch()
        try first.write("default.yaml", "name: mine\nroles:\n  drift: { fg: red }\n")
        try second.write("default.yaml", "name: theirs\n")
        try second.write("dusk.yaml", "name: dusk\n")
        try second.write("broken.yaml", "name: broken\nroles: [\n")
        try second.write(".hidden.yaml", "name: hidden\n")

        let mine = try ThemeFiles.load("default", directories: [first.path, second.path]).get()
        #expect(mine.name == "mine")
        #expect(mine.style(.drift) == RoleStyle(fg: .indexed(1)))
        #expect(try ThemeFiles.load("default", directories: []).get().style(.drift).bold, "the built-in without directories")
        #expect(try ThemeFiles.load("light", directories: [first.path]).get().name == "light")
        #expect(try ThemeFiles.load("dusk", directories: [first.path, second.path]).get().name == "dusk")
        #expect(try ThemeFiles.load(second.file("dusk.yaml"), directories: []).get().name == "dusk", "a path is read as it is")

        guard case .failure(let unknown) = ThemeFiles.load("dawn", directories: [first.path, second.path]) else { Issue.record(); return }
        #expect(unknown.description == "no theme named `dawn`: choose one of default, light, high-contrast, monochrome, broken, dusk, or write \(first.path)/dawn.yaml")
        guard case .failure(let absent) = ThemeFiles.load("nowhere/x.yaml", directories: []) else { Issue.record(); return }
        #expect(absent.description == "nowhere/x.yaml: no such theme file")
        guard case .failure(let broken) = ThemeFiles.load("broken", directories: [second.path]) else { Issue.record(); return }
        #expect(broken.description.hasPrefix("\(second.path)/broken.yaml:3:1: YAML syntax error"))

        let listed = ThemeFiles.all(directories: [first.path, second.path])
        #expect(listed.map(\.source) == [first.file("default.yaml"), second.file("broken.yaml"), second.file("default.yaml"), second.file("dusk.yaml"),
                                         "built-in", "built-in", "built-in", "built-in"])
        #expect(listed.map { (try? $0.result.get())?.name } == ["mine", nil, "theirs", "dusk", "default", "light", "high-contrast", "monochrome"])
    }

    @Test func aRoleTheThemeLeavesOutLooksLikeNormal() throws {
        let theme = try Theme.parse("name: short\nroles:\n  normal: { fg: red, attributes: [dim] }\n", file: "t.yaml").get()
        #expect(theme.style(.drift) == RoleStyle(fg: .indexed(1), dim: true))
        #expect(try Theme.parse("name: bare\n", file: "t.yaml").get().style(.header) == RoleStyle())
    }

    @Test func everyMistakeIsNamedWithItsLineAndColumn() {
        let roles = Role.allCases.map(\.rawValue).joined(separator: ", ")
        #expect(complaints("") == "t.yaml:1:1: a theme must be a mapping with `name` and `roles`")
        #expect(complaints("- a\n") == "t.yaml:1:1: a theme must be a mapping with `name` and `roles`, not a list")
        #expect(complaints("roles: {}\n") == "t.yaml:1:1: a theme needs a `name`")
        #expect(complaints("name: \"\"\n") == "t.yaml:1:7: `name` must be non-empty text without control characters")
        #expect(complaints("name: a\ncolours: {}\n") == "t.yaml:2:1: unknown field `colours` in a theme (expected name, roles)")
        #expect(complaints("name: a\nroles: [header]\n") == "t.yaml:2:8: `roles` must be a mapping from role names to styles, not a list")
        #expect(complaints("name: a\nroles:\n  headr: {}\n") == "t.yaml:3:3: unknown role `headr` (expected \(roles))")
        #expect(complaints("name: a\nroles:\n  drift: bold\n")
            == "t.yaml:3:10: the style of `drift` must be a mapping such as { fg: red, attributes: [bold] }, not `bold`")
        #expect(complaints("name: a\nroles:\n  header: { fgg: red }\n")
            == "t.yaml:3:13: unknown field `fgg` in the style of `header` (expected fg, bg, attributes)")
        #expect(complaints("name: a\nroles:\n  drift: { fg: pinkish }\n")
            == "t.yaml:3:16: bad colour `pinkish`: write default, a name such as red or bright-blue, a number 0-255, or #rrggbb")
        #expect(complaints("name: a\nroles:\n  drift:\n    bg: #ff8700\n")
            == "t.yaml:4:8: `bg` has no colour: write default, a name such as red or bright-blue, a number 0-255, or #rrggbb, with quotes around #rrggbb since a bare # starts a comment")
        #expect(complaints("name: a\nroles:\n  drift: { attributes: [bold, blink] }\n")
            == "t.yaml:3:31: unknown attribute `blink` (expected bold, underline, reverse, dim)")
        #expect(complaints("name: a\nroles:\n  drift: { attributes: bold }\n")
            == "t.yaml:3:24: `attributes` must be a list such as [bold, underline], not `bold`")
        #expect(complaints("name: a\nroles: [\n") == "t.yaml:3:1: YAML syntax error: while parsing a flow node: did not find expected node content")
        #expect(complaints("name: a\nroles:\n  drift: {}\n  drift: {}\n")?.hasPrefix("t.yaml:3:3: YAML syntax error: duplicate key drift") == true)
        #expect(complaints("name: a\nroles:\n  drift: { fg: 256, bg: \"\\e[31m\" }\n") == """
            t.yaml:3:16: bad colour `256`: write default, a name such as red or bright-blue, a number 0-255, or #rrggbb
            t.yaml:3:25: bad colour `\\e[31m`: write default, a name such as red or bright-blue, a number 0-255, or #rrggbb
            """, "every problem is reported, control characters escaped")
    }

    @Test func coloursAreReadAsThemesWriteThem() {
        #expect(ColorSpec.parse("default") == .default)
        #expect(ColorSpec.parse("red") == .indexed(1))
        #expect(ColorSpec.parse("Bright-Blue") == .indexed(12))
        #expect(ColorSpec.parse("grey") == .indexed(8) && ColorSpec.parse("gray") == .indexed(8))
        #expect(ColorSpec.parse("0") == .indexed(0) && ColorSpec.parse("255") == .indexed(255))
        #expect(ColorSpec.parse("#FF8700") == .rgb(255, 135, 0))
        for bad in ["", "256", "-1", "+5", "1000", "#ff870", "#gg0000", "#+fffff", "ff8700", "pinkish", "bright-gray"] {
            #expect(ColorSpec.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func coloursComeDownToWhatTheTerminalHas() {
        #expect(ColorSpec.default.index(forColors: 256) == nil && ColorSpec.default.index(forColors: 8) == nil)
        #expect(ColorSpec.rgb(255, 0, 0).index(forColors: 256) == 196)
        #expect(ColorSpec.rgb(255, 0, 0).index(forColors: 16) == 9)
        #expect(ColorSpec.rgb(255, 0, 0).index(forColors: 8) == 1)
        #expect(ColorSpec.rgb(255, 135, 0).index(forColors: 256) == 208)
        #expect(ColorSpec.rgb(255, 135, 0).index(forColors: 8) == 3, "orange is nearer yellow than red")
        #expect(ColorSpec.rgb(128, 128, 128).index(forColors: 256) == 244, "the grey ramp")
        #expect(ColorSpec.indexed(9).index(forColors: 256) == 9)
        #expect(ColorSpec.indexed(9).index(forColors: 8) == 1)
        #expect(ColorSpec.indexed(8).index(forColors: 8) == 0)
        #expect(ColorSpec.indexed(196).index(forColors: 8) == 1)
        #expect(ColorSpec.indexed(244).index(forColors: 8) == 7, "a mid grey becomes white, not yellow")
        #expect(ColorSpec.indexed(242).index(forColors: 8) == 0)
        #expect(ColorSpec.rgb(95, 175, 215).index(forColors: 8) == 6)
        #expect(ColorSpec.rgb(108, 108, 108).index(forColors: 16) == 8)
        #expect(ColorSpec.indexed(1).index(forColors: 2) == nil, "no colour on a terminal with fewer than 8")
    }

    @Test func monochromeUsesNoColour() throws {
        let monochrome = try #require(Theme.builtIn.first { $0.name == "monochrome" })
        for role in Role.allCases {
            #expect(monochrome.style(role).fg == .default && monochrome.style(role).bg == .default, "\(role)")
        }
    }

    /// Colour-blind readers, and monochrome terminals, tell resource states apart by attributes.
    @Test func resourceStatesDifferInAttributesNotOnlyInColour() {
        func attributes(_ style: RoleStyle) -> [Bool] { [style.bold, style.underline, style.reverse] }
        let states: [Role] = [.synced, .drift, .missing, .extra, .error]
        for theme in Theme.builtIn {
            #expect(theme.style(.drift) != theme.style(.synced))
            for (index, state) in states.enumerated() {
                for other in states[(index + 1)...] {
                    #expect(attributes(theme.style(state)) != attributes(theme.style(other)), "\(theme.name): \(state) and \(other)")
                }
            }
        }
    }

    /// The selected row is painted on top of its roles: every built-in keeps the status colours
    /// and attributes of a selected row, and adds the selection's background or reverse.
    @Test func aSelectedRowKeepsItsStatusColours() {
        for theme in Theme.builtIn {
            for role: Role in [.synced, .drift, .missing, .extra, .unknown, .error] {
                let plain = theme.style(role), selected = theme.style(role, selected: true)
                #expect(selected.fg == plain.fg, "\(theme.name): \(role) keeps its colour")
                #expect(!plain.bold || selected.bold, "\(theme.name): \(role) keeps bold")
                #expect(!plain.underline || selected.underline, "\(theme.name): \(role) keeps underline")
                // A reversed role (monochrome's error) stays reversed: the rest of its row shows the selection.
                #expect(selected != plain || plain.reverse, "\(theme.name): a selected \(role) is seen as selected")
            }
        }
        let theme = Theme.builtIn[0]
        #expect(theme.style(.drift, selected: true).bg == theme.style(.selection).bg)
    }
}
