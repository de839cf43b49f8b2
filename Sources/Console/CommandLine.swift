import Foundation

/// The `:` command line: a few commands, completed with Tab.
enum CommandLine {
    enum Command: Equatable { case quit, sync, help, messages, theme(String) }

    struct Problem: Error, CustomStringConvertible { let description: String }

    static let names = ["help", "messages", "quit", "sync", "theme"]

    static func parse(_ text: String) -> Result<Command, Problem> {
        let words = text.split(separator: " ").map(String.init)
        switch words.first {
        case "q"?, "quit"?, "q!"?: return .success(.quit)
        case "sync"?: return .success(.sync)
        case "help"?, "h"?: return .success(.help)
        case "messages"?, "mes"?: return .success(.messages)
        case "theme"?:
            guard words.count == 2 else { return .failure(Problem(description: ":theme needs one name, such as :theme light")) }
            return .success(.theme(words[1]))
        case nil: return .failure(Problem(description: "no command: try :theme NAME, :sync, :messages, :q"))
        case let other?: return .failure(Problem(description: "unknown command :\(other.escapingControlCharacters): try :theme NAME, :sync, :messages, :q"))
        }
    }

    /// The command name completed, when the typed start fits one name.
    static func complete(_ text: String) -> String {
        guard !text.contains(" ") else { return text }
        let fits = names.filter { $0.hasPrefix(text) }
        return fits.count == 1 ? fits[0] + (fits[0] == "theme" ? " " : "") : text
    }
}
