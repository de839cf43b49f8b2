import DesiredState
import Engine
import Foundation
import VersionSource

/// A row of columns: each cell cut to its width (with `…`), the last one taking what is left.
struct Columns {
    /// A status word has a fixed width; an id, a path or a message fits its widest cell on screen.
    enum Width { case fixed(Int), fit }

    let widths: [Int]

    /// Fixed columns get their width. The rest of `total` (less a blank between columns) goes to
    /// the fitting ones, narrow ones whole first and the others sharing what remains evenly
    /// (max-min fair), so a short id never starves a long path; room left over widens the last.
    init(total: Int, _ spec: [Width], natural: [Int]) {
        let fixed = spec.reduce(0) { if case .fixed(let w) = $1 { return $0 + w } else { return $0 } }
        var remaining = max(0, total - 1 - fixed - (spec.count - 1))
        var widths = spec.map { if case .fixed(let w) = $0 { return w } else { return 0 } }
        let fitting = spec.indices.filter { if case .fit = spec[$0] { return true } else { return false } }
        for (done, index) in fitting.sorted(by: { natural[$0] < natural[$1] }).enumerated() {
            let width = min(natural[index], remaining / (fitting.count - done))
            widths[index] = width
            remaining -= width
        }
        if let last = fitting.last { widths[last] += remaining }
        self.widths = widths
    }

    func paint(_ cells: [(String, Role)], x: Int, y: Int, width: Int, selected: Bool = false, _ buffer: inout CellBuffer) {
        buffer.fill(x: x, y: y, width: width, height: 1, role: .normal)
        var column = x + 1
        for (index, cell) in cells.enumerated() where index < widths.count {
            let w = index == cells.count - 1 ? max(0, x + width - column) : widths[index]
            buffer.put(DisplayWidth.truncate(cell.0, to: w), x: column, y: y, role: cell.1, maxWidth: w)
            column += w + 1
        }
        if selected { buffer.select(x: x, y: y, width: width) }
    }
}

/// The list area of a view: column titles, then only the rows that are on screen.
enum ListPainter {
    static func paint<Item>(titles: [String], columns spec: [Columns.Width], layout: Layout, list: ItemList<Item>, empty: String,
                            _ buffer: inout CellBuffer, row: (Item) -> [(String, Role)]) {
        let count = list.rows.count
        let visible = list.top..<min(count, list.top + layout.listRows)
        let cells = visible.map { row(list[row: $0]) }
        // What the fitting columns ask for: their widest cell on screen, title included.
        let natural = titles.indices.map { column in
            cells.reduce(DisplayWidth.of(titles[column])) { max($0, column < $1.count ? DisplayWidth.of($1[column].0) : 0) }
        }
        let columns = Columns(total: layout.listWidth, spec, natural: natural)
        columns.paint(titles.map { ($0, Role.muted) }, x: layout.listX, y: Layout.bodyTop, width: layout.listWidth, &buffer)
        // An empty list says why in full (a reason may be long), wrapped over the first rows.
        let emptyLines = count == 0 ? DisplayWidth.wrap(empty, to: layout.listWidth - 2) : []
        for screenRow in 0..<layout.listRows {
            let y = layout.listY + screenRow
            let index = list.top + screenRow
            guard visible.contains(index) else {
                buffer.fill(x: layout.listX, y: y, width: layout.listWidth, height: 1, role: .normal)
                if screenRow < emptyLines.count { buffer.put(emptyLines[screenRow], x: layout.listX + 1, y: y, role: .muted, maxWidth: layout.listWidth - 1) }
                continue
            }
            columns.paint(cells[screenRow], x: layout.listX, y: y, width: layout.listWidth, selected: index == list.cursor, &buffer)
        }
    }
}

enum ResourceList {
    static func role(_ status: ResourceStatus) -> Role {
        switch (status.sync, status.drift) {
        case (.synced, _): return .synced
        case (.unknown, _): return .unknown
        case (_, .missing?): return .missing
        case (_, .extra?): return .extra
        case (_, .pending?): return .info
        default: return .drift
        }
    }

    /// How a health word is painted: Degraded and Missing as errors, Progressing and Unknown as
    /// warnings, Suspended muted.
    static func role(_ health: Health) -> Role {
        switch health {
        case .healthy: return .normal
        case .degraded, .missing: return .error
        case .progressing, .unknown: return .warning
        case .suspended: return .muted
        }
    }

    /// A glyph beside the words, never instead of them: ✓ synced, ~ modified, - missing, + extra,
    /// ? unknown, ↓ pending (git moved).
    static func glyph(_ status: ResourceStatus) -> String {
        switch (status.sync, status.drift) {
        case (.synced, _): return "✓"
        case (.unknown, _): return "?"
        case (_, .pending?): return "↓"
        case (_, .missing?): return "-"
        case (_, .extra?): return "+"
        default: return "~"
        }
    }

    static func paint(_ state: ConsoleState, _ layout: Layout, _ buffer: inout CellBuffer) {
        ListPainter.paint(titles: ["", "SYNC", "DRIFT", "RESOURCE", "PATH / UNIT", "HEALTH"],
                          columns: [.fixed(1), .fixed(9), .fixed(8), .fit, .fit, .fixed(11)], layout: layout,
                          list: state.resources,
                          empty: state.resourcesLoaded ? (state.resources.items.isEmpty ? "no resources declared" : state.resources.filter.isEmpty ? "nothing drifted or unhealthy (o shows all)" : "no resource matches")
                              : (state.engineProblem ?? state.loadProblem).map { "cannot observe: \($0.escapingControlCharacters)" } ?? "observing the target…",
                          &buffer) { status in
            let role = role(status)
            // A drifted row is highlighted whole; a synced one only in its words.
            let text: Role = status.sync == .synced ? .normal : role
            return [(glyph(status), role), (status.sync.rawValue, role), (status.drift?.rawValue ?? "", role),
                    (status.id.description.escapingControlCharacters, text), (status.place.escapingControlCharacters, text),
                    (status.health.rawValue, Self.role(status.health))]
        }
    }
}

enum ProposalList {
    /// The words of the MERGE and POLICY columns, which `/` finds too.
    static func mergeWord(_ review: ProposalReview) -> String { review.mergeable ? "clean" : "CONFLICT" }
    static func policyWord(_ review: ProposalReview) -> String { review.passesPolicy ? "pass" : "FAIL" }

    static func paint(_ state: ConsoleState, _ layout: Layout, _ buffer: inout CellBuffer) {
        let list = state.proposals
        let empty = list.loading ? "reviewing proposals…" : list.items.isEmpty ? "no open proposals (branches proposal/* at the source)"
            : list.filter.isEmpty ? "no proposal conflicts or fails its policy (o shows all)" : "no proposal matches"
        ListPainter.paint(titles: ["HEAD", "MERGE", "POLICY", "PROPOSAL", "TITLE", "CHANGES"],
                          columns: [.fixed(12), .fixed(8), .fixed(6), .fit, .fit, .fixed(11)], layout: layout,
                          list: list, empty: empty, &buffer) { review in
            let counts = Dictionary(grouping: review.changes, by: \.change).mapValues(\.count)
            let plan = "+\(counts[.create] ?? 0) ~\(counts[.update] ?? 0) -\(counts[.delete] ?? 0)"
            return [(String(review.proposal.head.prefix(12)), .muted),
                    (mergeWord(review), review.mergeable ? .synced : .error),
                    (policyWord(review), review.passesPolicy ? .synced : .error),
                    (review.proposal.name.escapingControlCharacters, .normal),
                    ("\(review.title.escapingControlCharacters) · \(review.author.escapingControlCharacters)", .normal), (plan, .normal)]
        }
    }
}

enum HistoryList {
    static func paint(_ state: ConsoleState, _ layout: Layout, _ buffer: inout CellBuffer) {
        let list = state.history
        let empty = list.loading ? "reading the history…"
            : list.items.isEmpty && state.loadProblem != nil ? "cannot read the history: \(state.loadProblem!.escapingControlCharacters)"
            : list.filter.isEmpty ? "no commits" : "no loaded commit matches"
        // With a trust root, a column of signature marks: ✓ verified, ✗ not, · not read yet.
        let marks = state.headSignature != nil
        ListPainter.paint(titles: (marks ? ["S"] : []) + ["", "COMMIT", "DATE", "AUTHOR", "SUBJECT"],
                          columns: (marks ? [.fixed(1)] : []) + [.fixed(1), .fixed(12), .fixed(10), .fit, .fit], layout: layout,
                          list: list, empty: empty, &buffer) { commit in
            let applied = commit.sha == state.applied
            var subject = commit.subject.isEmpty ? "(no subject)" : commit.subject.escapingControlCharacters
            if let of = commit.rollbackOf { subject += "  ↺ rollback of \(of.prefix(12))" }
            if let by = commit.approvedBy { subject += "  ✓ approved by \(by.escapingControlCharacters)" }
            let cells: [(String, Role)] = [(applied ? "*" : " ", .applied), (commit.short, applied ? .applied : .muted), (commit.day, .muted),
                                           (commit.author.escapingControlCharacters, .normal), (subject, commit.rollbackOf != nil || commit.approvedBy != nil ? .info : .normal)]
            guard marks else { return cells }
            let mark: (String, Role) = switch state.signatures[commit.sha]?.isVerified {
            case true?: ("✓", .synced)
            case false?: ("✗", .error)
            case nil: ("·", .muted)
            }
            return [mark] + cells
        }
        if list.loading && !list.items.isEmpty, layout.listRows > 0 {
            buffer.put(" loading more… ", x: max(0, layout.listWidth - 16), y: layout.listY + layout.listRows - 1, role: .muted)
        }
    }
}

enum EventList {
    static func role(_ level: Event.Level) -> Role {
        switch level {
        case .info: return .normal
        case .warning: return .warning
        case .error: return .error
        }
    }

    static let time = Date.ISO8601FormatStyle(timeZone: .gmt).time(includingFractionalSeconds: false).timeSeparator(.colon)
    /// An event of another day than today carries its date: `11-18 11:03`.
    static let dayAndTime = Date.VerbatimFormatStyle(format: "\(month: .twoDigits)-\(day: .twoDigits) \(hour: .twoDigits(clock: .twentyFourHour, hourCycle: .zeroBased)):\(minute: .twoDigits)",
                                                     timeZone: .gmt, calendar: Calendar(identifier: .gregorian))

    static func paint(_ state: ConsoleState, _ layout: Layout, _ buffer: inout CellBuffer) {
        // The time column fits the rows on screen: wider only while one of them carries a date.
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = .gmt
        let today = utc.startOfDay(for: state.now)
        let list = state.events
        ListPainter.paint(titles: ["TIME", "LEVEL", "REASON", "RESOURCE", "MESSAGE"], columns: [.fit, .fixed(7), .fixed(16), .fit, .fit], layout: layout,
                          list: list, empty: list.items.isEmpty ? "no events yet" : list.filter.isEmpty ? "no event at this level" : "no event matches",
                          &buffer) { row in
            let event = row.event
            let role = role(event.level)
            var message = event.message.escapingControlCharacters
            if row.count > 1 { message += "  ×\(row.count) · \(Views.age(of: event.time, now: state.now))" }
            let when = event.time < today ? event.time.formatted(dayAndTime) : event.time.formatted(time)
            return [(when, .muted), (event.level.rawValue, role), (event.reason.rawValue, role),
                    ((event.resource ?? "-").escapingControlCharacters, .normal), (message, .normal)]
        }
    }
}
