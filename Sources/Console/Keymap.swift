/// What a key does. Every binding lives in `Keymap.bindings`: the `?` help and the footer are
/// generated from it, so they cannot drift from what the keys do.
public enum Action: Hashable, Sendable {
    case moveDown, moveUp, pageDown, pageUp, top, bottom
    case open, back, nextPane
    case show(ConsoleView)
    case filter, nextMatch, previousMatch
    case onlyAttention, nextAttention, previousAttention
    case syncSelected, syncAll, togglePause, fetchNow
    case approve, reject, rollback
    case toggleFollow, cycleLevel
    case commandLine, help, quit
}

/// One binding: the keys, how the help writes them, what they do and where.
public struct Binding: Sendable {
    public let keys: [Key]
    public let label: String
    public let action: Action
    public let summary: String
    /// The views it works in; nil for all.
    public let views: Set<ConsoleView>?
    /// Opens a confirmation dialog before anything changes.
    public let dangerous: Bool
    /// The word for it in the footer; nil: only in the help.
    public let hint: String?
}

public enum Keymap {
    static func bind(_ keys: [Key], _ label: String, _ action: Action, _ summary: String, in views: Set<ConsoleView>? = nil,
                     dangerous: Bool = false, hint: String? = nil) -> Binding {
        Binding(keys: keys, label: label, action: action, summary: summary, views: views, dangerous: dangerous, hint: hint)
    }

    /// Where rows have a status for `o`, `]` and `[`: a commit has none.
    static let attentionViews: Set<ConsoleView> = [.resources, .proposals, .events]

    public static let bindings: [Binding] = [
        bind([.char("j"), .down], "j ↓", .moveDown, "move down"),
        bind([.char("k"), .up], "k ↑", .moveUp, "move up"),
        bind([.pageDown, .ctrl("f")], "PgDn", .pageDown, "page down"),
        bind([.pageUp, .ctrl("b")], "PgUp", .pageUp, "page up"),
        bind([.char("g"), .home], "g", .top, "first row"),
        bind([.char("G"), .end], "G", .bottom, "last row"),
        bind([.enter], "Enter", .open, "open the detail", in: [.proposals, .history, .events], hint: "open"),
        bind([.escape], "Esc", .back, "back, close"),
        bind([.tab], "Tab", .nextPane, "next pane (list, diff)", in: [.resources, .proposals, .history, .events]),
        bind([.char("1")], "1", .show(.resources), "Resources view"),
        bind([.char("2")], "2", .show(.proposals), "Proposals view"),
        bind([.char("3")], "3", .show(.history), "History view"),
        bind([.char("4")], "4", .show(.events), "Events view"),
        bind([.char("/")], "/", .filter, "filter the list", hint: "filter"),
        bind([.char("n")], "n", .nextMatch, "next match"),
        bind([.char("N")], "N", .previousMatch, "previous match"),
        bind([.char("o")], "o", .onlyAttention, "only drifted or unhealthy, on/off", in: attentionViews, hint: "only drift"),
        bind([.char("]")], "]", .nextAttention, "next drifted or unhealthy row", in: attentionViews),
        bind([.char("[")], "[", .previousAttention, "previous drifted or unhealthy row", in: attentionViews),
        bind([.char("s")], "s", .syncSelected, "sync the selected resource", in: [.resources], hint: "sync"),
        bind([.char("S")], "S", .syncAll, "sync all (shows the plan first)", in: [.resources], dangerous: true, hint: "sync all"),
        bind([.char("p")], "p", .togglePause, "pause or resume auto-sync", hint: "pause"),
        bind([.char("R")], "R", .fetchNow, "fetch the source now"),
        bind([.char("a")], "a", .approve, "approve the selected proposal", in: [.proposals], dangerous: true, hint: "approve"),
        bind([.char("x")], "x", .reject, "reject the selected proposal", in: [.proposals], dangerous: true, hint: "reject"),
        bind([.char("r")], "r", .rollback, "roll back to the selected commit", in: [.history], dangerous: true, hint: "roll back"),
        bind([.char("f")], "f", .toggleFollow, "follow new events on or off", in: [.events], hint: "follow"),
        bind([.char("l")], "l", .cycleLevel, "levels shown: all, warnings and errors, errors", in: [.events], hint: "levels"),
        bind([.char(":")], ":", .commandLine, ":theme NAME, :sync, :messages, :q"),
        bind([.char("?")], "?", .help, "help", hint: "help"),
        bind([.char("q"), .ctrl("c")], "q", .quit, "quit", hint: "quit"),
    ]

    /// The action of a key in a view, if any.
    public static func action(for key: Key, in view: ConsoleView) -> Action? {
        bindings.first { $0.keys.contains(key) && ($0.views?.contains(view) ?? true) }?.action
    }

    /// The bindings that work in a view, in the keymap's order.
    public static func bindings(in view: ConsoleView) -> [Binding] {
        bindings.filter { $0.views?.contains(view) ?? true }
    }
}
