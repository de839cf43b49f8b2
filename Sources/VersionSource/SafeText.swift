extension String {
    /// The text with every control character written as an escape (`\n`, `\t`, `\e`, `\x07`, `\u{85}`),
    /// so text from git or from files can never drive a terminal.
    public var escapingControlCharacters: String {
        guard unicodeScalars.contains(where: \.drivesTerminal) else { return self }
        var out = ""
        for scalar in unicodeScalars {
            guard scalar.drivesTerminal else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case "\u{1B}": out += "\\e"
            default:
                let hex = String(scalar.value, radix: 16)
                out += scalar.value < 0x80 ? "\\x" + (hex.count < 2 ? "0" + hex : hex) : "\\u{\(hex)}"
            }
        }
        return out
    }

}

extension String {
    /// Each line escaped on its own: for plumb's own messages of several lines, whose parts are
    /// escaped where they are made (a line break in a name is `\\n` by then).
    public var escapingControlCharactersByLine: String {
        split(separator: "\n", omittingEmptySubsequences: false).map { String($0).escapingControlCharacters }.joined(separator: "\n")
    }
}

extension Unicode.Scalar {
    /// C0, DEL, C1, and the bidirectional controls that reorder what a reader sees: what must
    /// never reach a terminal raw, nor stand in a name plumb writes.
    public var drivesTerminal: Bool {
        value < 0x20 || (0x7F...0x9F).contains(value) || (0x202A...0x202E).contains(value)
            || (0x2066...0x2069).contains(value) || value == 0x200E || value == 0x200F || value == 0x061C
    }
}
