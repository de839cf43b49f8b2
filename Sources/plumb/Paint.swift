import ArgumentParsing
import ChildProcess
import Engine
import Foundation

/// `--color`: `auto` colours a terminal and never a pipe, nor when `NO_COLOR` is set (and not
/// empty) or `TERM` is `dumb`.
enum ColorChoice: String, ArgumentValue, CaseIterable {
    case auto, always, never
}

/// The command line's colours, as git colours its own output: SGR codes around a word, nothing
/// at all when off. Every status keeps its word: colour only adds to it.
struct Paint: Sendable {
    enum Style: String {
        case green = "32", red = "31", yellow = "33", cyan = "36", magenta = "35", bold = "1", dim = "2"
    }

    let enabled: Bool

    static func choose(_ choice: ColorChoice?) -> Paint {
        switch choice ?? .auto {
        case .always: return Paint(enabled: true)
        case .never: return Paint(enabled: false)
        case .auto:
            let noColor = environmentValue("NO_COLOR").map { !$0.isEmpty } ?? false
            return Paint(enabled: isatty(STDOUT_FILENO) == 1 && !noColor && environmentValue("TERM") != "dumb")
        }
    }

    func callAsFunction(_ text: String, _ style: Style?) -> String {
        guard enabled, let style, !text.isEmpty else { return text }
        return "\u{1B}[\(style.rawValue)m\(text)\u{1B}[0m"
    }

    static func style(_ sync: SyncStatus) -> Style {
        switch sync {
        case .synced: return .green
        case .outOfSync: return .yellow
        case .unknown: return .magenta
        }
    }

    static func style(_ drift: Drift?) -> Style? {
        switch drift {
        case .missing?, .modified?: return .red
        case .extra?, .pending?: return .cyan
        case nil: return nil
        }
    }

    static func style(_ health: Health) -> Style? {
        switch health {
        case .healthy: return .green
        case .degraded, .missing: return .red
        case .progressing: return .yellow
        case .unknown: return .magenta
        case .suspended: return .dim
        }
    }

    static func style(_ level: Event.Level) -> Style? {
        switch level {
        case .info: return nil
        case .warning: return .yellow
        case .error: return .red
        }
    }

    /// A line of a unified diff, in git's colours.
    func diffLine(_ line: String) -> String {
        if line.hasPrefix("diff ") || line.hasPrefix("--- ") || line.hasPrefix("+++ ") { return self(line, .bold) }
        if line.hasPrefix("@@") { return self(line, .cyan) }
        if line.hasPrefix("+") { return self(line, .green) }
        if line.hasPrefix("-") { return self(line, .red) }
        return line
    }
}
