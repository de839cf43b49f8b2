import DesiredState
import Engine
import Foundation

/// Asks the operator before a change to the source, unless `--yes` said so already. Without a
/// terminal to ask on, it refuses: a script must say `--yes`.
func confirm(_ question: String, yes: Bool) throws {
    if yes { return }
    guard isatty(STDIN_FILENO) == 1 else {
        throw StateError("not confirmed: there is no terminal to ask on; add --yes to go ahead; nothing changed")
    }
    FileHandle.standardError.write(Data("\(question) [y/N] ".utf8))
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased()
    guard answer == "y" || answer == "yes" else { throw StateError("cancelled; nothing changed") }
}

/// The resource-level plan, one change a line: `  update  File/motd`.
func renderChanges(_ changes: [ResourceChange]) -> String {
    guard !changes.isEmpty else { return "  no resource changes" }
    var table = Table()
    for change in changes { table.add(["", change.change.rawValue, change.id.description.escapingControlCharacters]) }
    return table.render()
}
