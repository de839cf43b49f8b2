/// What a cell on the screen shows, not how it looks: views paint roles, a theme gives each role
/// its colours and attributes, and the backend turns those into what the terminal can do.
public enum Role: String, CaseIterable, Hashable, Sendable {
    case normal
    case header
    case border
    case title
    case selection
    case synced
    case drift
    case missing
    case extra
    case unknown
    case error
    case warning
    case info
    case diffAdd = "diff-add"
    case diffDel = "diff-del"
    case diffHunk = "diff-hunk"
    case muted
    case footer
    case key
    case dialog
    case match
    case applied
}
