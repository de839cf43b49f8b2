import Console
import DesiredState
import Foundation
import VersionSource

/// Where the console's themes are on disk: the user's directory, a theme file by name or path,
/// and every theme there is. The shell's business: the console's core only parses a theme's
/// text and knows the built-ins, and reads no disk and no environment.
public enum ThemeFiles {
    /// Where user themes live: `$XDG_CONFIG_HOME/plumb/themes`, or `~/.config/plumb/themes`.
    public static func userDirectory(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        // The XDG spec says a relative XDG_CONFIG_HOME is invalid and must be ignored.
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.hasPrefix("/") ? $0 : nil }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/plumb/themes"
    }

    /// A theme by name, or by path when `nameOrFile` contains "/" or ends in ".yaml". A name is
    /// looked up as `<name>.yaml` in each of `directories` in turn, then among the built-ins, so a
    /// user can replace a built-in by writing a file of the same name.
    public static func load(_ nameOrFile: String, directories: [String]) -> Result<Theme, ThemeError> {
        if nameOrFile.contains("/") || nameOrFile.hasSuffix(".yaml") { return read(file: nameOrFile) }
        for directory in directories {
            let file = path(directory, nameOrFile + ".yaml")
            if FileManager.default.fileExists(atPath: file) { return read(file: file) }
        }
        if let theme = Theme.builtIn.first(where: { $0.name == nameOrFile }) { return .success(theme) }
        var names = Theme.builtIn.map(\.name)
        for file in directories.flatMap(themeFiles) {
            let name = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
            if !names.contains(name) { names.append(name) }
        }
        let hint = directories.first.map { ", or write \(path($0, nameOrFile + ".yaml").escapingControlCharacters)" } ?? ""
        return .failure(ThemeError("no theme named `\(nameOrFile.escapingControlCharacters)`: choose one of \(names.joined(separator: ", "))\(hint)"))
    }

    /// Every theme file in `directories` (`*.yaml`), then the built-ins, each loaded or with its
    /// error and with where it came from: a file path or "built-in". A listing shows them all,
    /// broken and shadowed ones included, so a user can see why a theme is not the one loaded.
    public static func all(directories: [String]) -> [(source: String, result: Result<Theme, ThemeError>)] {
        directories.flatMap(themeFiles).map { ($0, read(file: $0)) } + Theme.builtIn.map { ("built-in", .success($0)) }
    }

    /// The theme files of a directory in name order, hidden files left out as a shell glob would;
    /// a directory that does not exist has none.
    static func themeFiles(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".yaml") && !$0.hasPrefix(".") }.sorted().map { path(directory, $0) }
    }

    static func path(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func read(file: String) -> Result<Theme, ThemeError> {
        guard let data = FileManager.default.contents(atPath: file) else {
            let reason = FileManager.default.fileExists(atPath: file) ? "cannot read the theme file" : "no such theme file"
            return .failure(ThemeError("\(file.escapingControlCharacters): \(reason)"))
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            return .failure(ThemeError(Diagnostic(SourceLocation(file: file, line: 1, column: 1), "file is not valid UTF-8").description))
        }
        return Theme.parse(text, file: file)
    }
}
