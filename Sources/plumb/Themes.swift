import ArgumentParsing
import Console
import Foundation
import ThemeFiles

struct Themes: Command {
    static let summary = CommandSummary(
        name: "themes", abstract: "List the console's themes, validating each.",
        discussion: """
            Your themes (in $XDG_CONFIG_HOME/plumb/themes, else ~/.config/plumb/themes) come first and \
            win over a built-in of the same name. Exit status: 0 when every theme reads, 1 when any \
            has a mistake, which is named with its file, line and column.
            """)

    var json = false

    static var parameters: [Parameter<Themes>] {
        [
            .flag(\.json, "json", help: "Print one JSON document."),
        ]
    }

    func run() throws {
        let directory = ThemeFiles.userDirectory()
        let themes = ThemeFiles.all(directories: [directory])
        var seen: Set<String> = []
        var rows: [ThemeJSON] = []
        var table = Table()
        var problems: [String] = []
        for (source, result) in themes {
            switch result {
            case .success(let theme):
                // A built-in a user file replaces is listed as such, not as if it were in use.
                let shadowed = !seen.insert(theme.name).inserted
                rows.append(ThemeJSON(name: theme.name, source: source, valid: true, shadowed: shadowed, error: nil))
                table.add([theme.name.escapingControlCharacters, source.escapingControlCharacters, shadowed ? "replaced by yours" : "ok"])
            case .failure(let error):
                rows.append(ThemeJSON(name: URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent, source: source,
                                      valid: false, shadowed: nil, error: error.description))
                table.add([URL(fileURLWithPath: source).deletingPathExtension().lastPathComponent.escapingControlCharacters,
                           source.escapingControlCharacters, "INVALID"])
                problems.append(error.description)
            }
        }
        if json {
            printJSON(rows)
        } else {
            print(table.render())
            for problem in problems { FileHandle.standardError.write(Data("plumb: \(problem)\n".utf8)) }
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }
}
