/// How many terminal columns text takes: 2 for East Asian wide and emoji, 0 for combining marks
/// and controls, 1 otherwise. Measured here, not by the terminal library, so that views and their
/// tests agree with the screen without a terminal.
public enum DisplayWidth {
    public static func of(_ character: Character) -> Int {
        // Printable ASCII, most of what a screen holds, needs no Unicode tables.
        if let ascii = character.asciiValue { return ascii >= 0x20 && ascii < 0x7F ? 1 : 0 }
        let scalars = character.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if first.value < 0x20 || (0x7F..<0xA0).contains(first.value) { return 0 }
        // An emoji sequence (a flag, a skin tone, a variation selector asking for emoji) is one wide glyph.
        if scalars.count > 1 && scalars.contains(where: { $0.value == 0xFE0F || $0.properties.isEmojiPresentation }) { return 2 }
        return of(first)
    }

    public static func of(_ scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return 0
        default: break
        }
        if value == 0x200B { return 0 }
        if scalar.properties.isEmojiPresentation { return 2 }
        return wide.contains { $0.contains(value) } ? 2 : 1
    }

    public static func of(_ text: some StringProtocol) -> Int {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text.utf8.count }
        var width = 0
        for character in text { width += of(character) }
        return width
    }

    /// The longest start of `text` that fits in `width` columns, ending in `…` when it was cut.
    public static func truncate(_ text: String, to width: Int) -> String {
        guard width > 0 else { return "" }
        if text.utf8.count <= width && text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return text }
        if of(text) <= width { return text }
        var out = "", used = 0
        for character in text {
            let w = of(character)
            if used + w > width - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// `text` in exactly `width` columns: cut with `…` when longer, blanks after it when shorter.
    public static func padded(_ text: String, to width: Int) -> String {
        let cut = truncate(text, to: width)
        return cut + String(repeating: " ", count: max(0, width - of(cut)))
    }

    /// `text` in at most `width` columns, its middle replaced by `…` when it was cut: the start
    /// and the end of a path say more than either alone. At least the first column is kept.
    public static func elidingMiddle(_ text: String, to width: Int) -> String {
        if of(text) <= width { return text }
        guard width > 2 else { return truncate(text, to: max(width, 2)) }
        let characters = Array(text)
        var tail: [Character] = [], used = 0
        for character in characters.reversed() {
            if used + of(character) > (width - 1) / 2 { break }
            tail.insert(character, at: 0)
            used += of(character)
        }
        return truncate(text, to: width - used) .dropLast() + "…" + String(tail)
    }

    /// `text` in lines of at most `width` columns, broken between words (a word longer than a
    /// line is cut); each line after the first is indented two columns more than the text. Runs
    /// of spaces inside a line are kept (a diff's indentation is content); at a break they go.
    public static func wrap(_ text: String, to width: Int) -> [String] {
        guard width > 0, of(text) > width else { return [text] }
        let margin = String(text.prefix { $0 == " " })
        let indent = String(repeating: " ", count: min(width / 2, margin.count + 2))
        var lines: [String] = [], line = margin, used = margin.count
        var empty: Bool { used == (lines.isEmpty ? margin.count : indent.count) }
        for word in text.dropFirst(margin.count).split(separator: " ", omittingEmptySubsequences: false) {
            if word.isEmpty && empty { continue }
            let gap = empty ? 0 : 1
            if used + gap + of(word) <= width {
                line += (gap == 1 ? " " : "") + word
                used += gap + of(word)
                continue
            }
            if !empty { lines.append(line); line = indent; used = indent.count }
            var rest = Substring(word)
            while used + of(rest) > width {
                var cut = rest.startIndex, taken = 0
                while cut < rest.endIndex, used + taken + of(rest[cut]) <= width { taken += of(rest[cut]); cut = rest.index(after: cut) }
                if cut == rest.startIndex { cut = rest.index(after: cut) }
                lines.append(line + rest[..<cut])
                (line, used, rest) = (indent, indent.count, rest[cut...])
            }
            line += rest
            used += of(rest)
        }
        if !empty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// East Asian Wide and Fullwidth ranges (Unicode 15, the blocks terminals draw two columns wide).
    static let wide: [ClosedRange<UInt32>] = [
        0x1100...0x115F, 0x231A...0x231B, 0x2329...0x232A, 0x23E9...0x23EC, 0x23F0...0x23F0, 0x23F3...0x23F3,
        0x25FD...0x25FE, 0x2614...0x2615, 0x2648...0x2653, 0x267F...0x267F, 0x2693...0x2693, 0x26A1...0x26A1,
        0x26AA...0x26AB, 0x26BD...0x26BE, 0x26C4...0x26C5, 0x26CE...0x26CE, 0x26D4...0x26D4, 0x26EA...0x26EA,
        0x26F2...0x26F3, 0x26F5...0x26F5, 0x26FA...0x26FA, 0x26FD...0x26FD, 0x2705...0x2705, 0x270A...0x270B,
        0x2728...0x2728, 0x274C...0x274C, 0x274E...0x274E, 0x2753...0x2755, 0x2757...0x2757, 0x2795...0x2797,
        0x27B0...0x27B0, 0x27BF...0x27BF, 0x2B1B...0x2B1C, 0x2B50...0x2B50, 0x2B55...0x2B55,
        0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF, 0xA960...0xA97F,
        0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE10...0xFE19, 0xFE30...0xFE6F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
        0x16FE0...0x16FE4, 0x17000...0x18CFF, 0x1B000...0x1B2FF, 0x1F004...0x1F004, 0x1F0CF...0x1F0CF,
        0x1F18E...0x1F18E, 0x1F191...0x1F19A, 0x1F200...0x1F251, 0x1F300...0x1F64F, 0x1F680...0x1F6FF,
        0x1F900...0x1F9FF, 0x1FA70...0x1FAFF, 0x20000...0x2FFFD, 0x30000...0x3FFFD,
    ]
}
