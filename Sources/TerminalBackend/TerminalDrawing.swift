import CNcurses
import Console

/// How one role is drawn: ncurses attributes and a colour pair.
struct CellStyle {
    var attributes: attr_t = 0
    var pair: Int16 = 0
}

/// A role, plain or on the selected row.
struct StyleKey: Hashable {
    let role: Role
    let selected: Bool
}

extension Terminal {
    /// Maps every Role of the theme to attributes and a colour pair, one pair per distinct
    /// foreground and background, allocated from 1 (pair 0 is the default colours). Without
    /// colours only bold, underline, reverse and dim remain. Forces a full redraw on the next draw.
    public func apply(_ theme: Theme) {
        var pairs: [[Int16]: Int16] = [:]
        styles = [:]
        for role in Role.allCases {
            for selected in [false, true] {
                let style = theme.style(role, selected: selected)
                var cell = CellStyle()
                if style.bold { cell.attributes |= plumb_a_bold() }
                if style.underline { cell.attributes |= plumb_a_underline() }
                if style.reverse { cell.attributes |= plumb_a_reverse() }
                if style.dim { cell.attributes |= plumb_a_dim() }
                var background = defaultColors.background
                if colors > 0 {
                    let foreground = style.fg.index(forColors: colors).map(Int16.init) ?? defaultColors.foreground
                    background = style.bg.index(forColors: colors).map(Int16.init) ?? defaultColors.background
                    let key = [foreground, background]
                    if key != [defaultColors.foreground, defaultColors.background] {
                        if let pair = pairs[key] {
                            cell.pair = pair
                        } else if pairs.count + 1 < Int(plumb_color_pairs()) {
                            let pair = Int16(pairs.count + 1)
                            init_pair(pair, foreground, background)
                            pairs[key] = pair
                            cell.pair = pair
                        }
                    }
                }
                // A selection whose background this terminal cannot show (no colours, or too few
                // to tell it from the screen's) is reversed instead, so the selected row is seen.
                let plain = theme.style(role).bg.index(forColors: colors).map(Int16.init) ?? defaultColors.background
                if selected && (colors == 0 || background == plain) { cell.attributes |= plumb_a_reverse() }
                styles[StyleKey(role: role, selected: selected)] = cell
            }
        }
        drawn = nil
    }

    /// Draws what changed since the last drawn buffer (everything after a resize or `apply`),
    /// then updates the terminal once. The cursor stays hidden.
    public func draw(_ buffer: CellBuffer) {
        guard !restored else { return }
        if drawn?.width != buffer.width || drawn?.height != buffer.height {
            // A smaller buffer than the screen must not leave the old frame around it.
            werase(window)
        }
        for run in buffer.changes(since: drawn) {
            let style = styles[StyleKey(role: run.role, selected: run.selected)] ?? CellStyle()
            // Each glyph goes to the column the buffer gave it, so one that ncurses measures
            // differently cannot shift the rest of the run.
            var x = run.x, scalarsLeft = run.text.unicodeScalars.count
            while scalarsLeft > 0, x < buffer.width {
                let cell = buffer[x, run.y]
                scalarsLeft -= cell.text.unicodeScalars.count
                if !cell.isContinuation {
                    let columns = x + 1 < buffer.width && buffer[x + 1, run.y].isContinuation ? 2 : 1
                    put(cell.text, x: x, y: run.y, columns: columns, style: style)
                }
                x += 1
            }
        }
        drawn = buffer
        wnoutrefresh(window)
        doupdate()
    }

    /// Writes one glyph in `columns` columns. ncurses keeps one spacing character and up to four
    /// combining ones per cell: later spacing parts (a ZWJ sequence's other emoji, a skin tone)
    /// are left out, and a glyph this locale cannot print becomes `?`. Columns ncurses does not
    /// fill are blanked so the screen matches the buffer. At the bottom-right cell ncurses stores
    /// the glyph and returns ERR, as scrolling is off: nothing scrolls.
    private func put(_ glyph: String, x: Int, y: Int, columns: Int, style: CellStyle) {
        var characters: [wchar_t] = []
        for scalar in glyph.unicodeScalars {
            let character = wchar_t(bitPattern: scalar.value)
            if characters.isEmpty {
                characters.append(plumb_wcwidth(character) > 0 ? character : wchar_t(UInt8(ascii: "?")))
            } else if characters.count < Int(CCHARW_MAX), scalar.value != 0x200D, plumb_wcwidth(character) == 0 {
                characters.append(character)
            }
        }
        guard !characters.isEmpty else { return }
        let used = Int(plumb_wcwidth(characters[0]))
        write(characters, x: x, y: y, style: style)
        for blank in x + min(used, columns) ..< x + columns {
            write([wchar_t(UInt8(ascii: " "))], x: blank, y: y, style: style)
        }
    }

    private func write(_ characters: [wchar_t], x: Int, y: Int, style: CellStyle) {
        var cell = cchar_t()
        guard setcchar(&cell, characters + [0], style.attributes, style.pair, nil) == OK else { return }
        mvwadd_wch(window, Int32(y), Int32(x), &cell)
    }
}
