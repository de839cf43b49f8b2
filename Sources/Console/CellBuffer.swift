import VersionSource

/// One column of the screen: a grapheme (empty for the right half of a wide one), its role, and
/// whether it lies on the selected row: a selection is drawn on top of the role (its background),
/// so that a drifted row keeps its colours while selected.
public struct Cell: Hashable, Sendable {
    public var text: String
    public var role: Role
    public var selected = false

    public init(_ text: String = " ", _ role: Role = .normal) {
        self.text = text
        self.role = role
    }

    /// The right half of a wide character: the terminal draws nothing there.
    public var isContinuation: Bool { text.isEmpty }
}

/// The screen in memory. Views paint into it; the backend draws only what changed since the last
/// frame; tests read it as text.
public struct CellBuffer: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        cells = Array(repeating: Cell(), count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Paints `text` from column `x` of row `y`, at most `maxWidth` columns (the row's end by
    /// default); a wide character that would not fit whole is left out. Control characters are
    /// painted as `?`: text reaching here should be escaped already, and this keeps the terminal
    /// safe if it was not. Returns the columns used.
    @discardableResult
    public mutating func put(_ text: some StringProtocol, x: Int, y: Int, role: Role, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let end = min(width, x + (maxWidth ?? width))
        var column = max(0, x)
        for character in text {
            var glyph = String(character)
            var w = DisplayWidth.of(character)
            if w == 0 {
                guard character.unicodeScalars.first?.drivesTerminal == true else { continue }
                (glyph, w) = ("?", 1)
            }
            if column + w > end { break }
            clearWide(at: column, y: y)
            cells[y * width + column] = Cell(glyph, role)
            if w == 2 {
                clearWide(at: column + 1, y: y)
                cells[y * width + column + 1] = Cell("", role)
            }
            column += w
        }
        return column - max(0, x)
    }

    /// Fills a rectangle with blanks of `role`.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, role: Role) {
        for row in max(0, y)..<min(height, y + h) {
            for column in max(0, x)..<min(width, x + w) { cells[row * width + column] = Cell(" ", role) }
        }
    }

    /// Paints a whole row: `text` then blanks to the end, all in `role`.
    public mutating func line(_ text: some StringProtocol, y: Int, role: Role, x: Int = 0, width w: Int? = nil) {
        let span = w ?? (width - x)
        fill(x: x, y: y, width: span, height: 1, role: role)
        put(text, x: x, y: y, role: role, maxWidth: span)
    }

    /// Marks a stretch of row `y` as the selected row, keeping what is painted there.
    public mutating func select(x: Int, y: Int, width w: Int) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + w) { cells[y * width + column].selected = true }
    }

    /// Overwriting half of a wide character blanks its other half, so no half glyph is left.
    private mutating func clearWide(at x: Int, y: Int) {
        guard x >= 0, x < width else { return }
        let index = y * width + x
        if cells[index].isContinuation, x > 0 { cells[index - 1] = Cell(" ", cells[index - 1].role) }
        if !cells[index].isContinuation, x + 1 < width, cells[index + 1].isContinuation { cells[index + 1] = Cell(" ", cells[index + 1].role) }
    }

    /// The screen as plain text, one line per row, trailing blanks dropped: what a person sees.
    public var text: String {
        (0..<height).map { y in
            var line = ""
            for x in 0..<width { line += self[x, y].text }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// The screen with each run of one role marked `[role]text` (runs of `normal` unmarked, a
    /// selected run `[role on selection]`): for snapshots that check what is coloured how.
    public var styledText: String {
        (0..<height).map { y in
            var line = "", current = (role: Role.normal, selected: false)
            for x in 0..<width {
                let cell = self[x, y]
                if (cell.role, cell.selected) != current && !cell.isContinuation {
                    switch (cell.role, cell.selected) {
                    case (.normal, false): line += "[/]"
                    case (.normal, true): line += "[selection]"
                    case (let role, false): line += "[\(role.rawValue)]"
                    case (let role, true): line += "[\(role.rawValue) on selection]"
                    }
                    current = (cell.role, cell.selected)
                }
                line += cell.text
            }
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// A stretch of one row to draw: changed cells of one role, side by side, all selected or not.
    public struct Run: Hashable, Sendable {
        public let x: Int
        public let y: Int
        public let text: String
        public let role: Role
        public let selected: Bool
    }

    /// What differs from `previous` (everything when there is none, or its size differs), as runs.
    public func changes(since previous: CellBuffer?) -> [Run] {
        let whole = previous == nil || previous!.width != width || previous!.height != height
        var runs: [Run] = []
        for y in 0..<height {
            var x = 0
            while x < width {
                let index = y * width + x
                guard whole || cells[index] != previous!.cells[index] else { x += 1; continue }
                // A run starts on a whole glyph and takes changed cells of the same role.
                var start = x
                if cells[index].isContinuation && x > 0 { start = x - 1 }
                let role = cells[y * width + start].role, selected = cells[y * width + start].selected
                var text = "", end = start
                while end < width {
                    let i = y * width + end
                    let cell = cells[i]
                    if end > start && (cell.role != role || cell.selected != selected || (!whole && cell == previous!.cells[i] && !cell.isContinuation)) { break }
                    text += cell.text
                    end += 1
                }
                runs.append(Run(x: start, y: y, text: text, role: role, selected: selected))
                x = end
            }
        }
        return runs
    }
}
