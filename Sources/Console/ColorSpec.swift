/// A colour as a theme writes it. The backend asks `index(forColors:)` what to show, so a theme
/// written for 256 colours still reads on an 8-colour terminal.
public enum ColorSpec: Hashable, Sendable {
    /// The terminal's own colour, which keeps the user's palette and background.
    case `default`
    /// A colour of the terminal's palette, 0-255.
    case indexed(Int)
    /// An exact colour, `#rrggbb`, shown as the nearest one the terminal has.
    case rgb(UInt8, UInt8, UInt8)

    /// The names of the first 16 palette colours, as a theme may write them.
    static let names: [String: Int] = {
        let basic = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]
        var names = ["gray": 8, "grey": 8]
        for (index, name) in basic.enumerated() {
            names[name] = index
            names["bright-" + name] = index + 8
        }
        return names
    }()

    /// Reads `default`, a name such as `red` or `bright-blue`, a number 0-255 or `#rrggbb`, in any case.
    public static func parse(_ text: String) -> ColorSpec? {
        let text = text.lowercased()
        if text == "default" { return .default }
        if let index = names[text] { return .indexed(index) }
        if (1...3).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(text), index <= 255 {
            return .indexed(index)
        }
        guard text.count == 7, text.first == "#", text.dropFirst().allSatisfy(\.isHexDigit),
              let value = UInt32(text.dropFirst(), radix: 16)
        else { return nil }
        return .rgb(UInt8(value >> 16), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF))
    }

    /// The palette colour to ask for on a terminal with `colors` colours; nil means the terminal's
    /// default colour (-1 to ncurses), which is also all a terminal with fewer than 8 colours gets.
    ///
    /// A palette colour the terminal lacks becomes one it has: a bright colour its plain
    /// counterpart, the others as their xterm value would. An exact colour becomes the nearest of
    /// xterm's cube and grey ramp (16-255), whose values terminals agree on; on 16 colours the
    /// nearest of xterm's basic ones; on 8, the corner of the colour cube it is nearest to, since
    /// measured against xterm's dim basic colours a mid grey would come out yellow.
    public func index(forColors colors: Int) -> Int? {
        guard colors >= 8 else { return nil }
        switch self {
        case .default:
            return nil
        case .indexed(let index):
            guard (0...255).contains(index) else { return nil }
            if index < colors { return index }
            if index < 16 { return index - 8 }
            let (red, green, blue) = Self.xtermRGB(index)
            return Self.rgb(UInt8(red), UInt8(green), UInt8(blue)).index(forColors: colors)
        case .rgb(let red, let green, let blue):
            let rgb = (Int(red), Int(green), Int(blue))
            if colors >= 256 { return Self.nearest(to: rgb, among: 16..<256) }
            if colors >= 16 { return Self.nearest(to: rgb, among: 0..<16) }
            return (red >= 128 ? 1 : 0) | (green >= 128 ? 2 : 0) | (blue >= 128 ? 4 : 0)
        }
    }

    /// xterm's value for a palette colour: its 16 basic colours, the 6x6x6 cube, the grey ramp.
    static func xtermRGB(_ index: Int) -> (Int, Int, Int) {
        switch index {
        case 0..<16:
            let basic = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                         (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return basic[index]
        case 16..<232:
            let levels = [0, 95, 135, 175, 215, 255]
            let cube = index - 16
            return (levels[cube / 36], levels[cube / 6 % 6], levels[cube % 6])
        default:
            let grey = 8 + 10 * (index - 232)
            return (grey, grey, grey)
        }
    }

    /// The palette colour in `candidates` closest to `rgb`, the first one on a tie.
    static func nearest(to rgb: (Int, Int, Int), among candidates: Range<Int>) -> Int {
        func distance(_ index: Int) -> Int {
            let other = xtermRGB(index)
            let (dr, dg, db) = (rgb.0 - other.0, rgb.1 - other.1, rgb.2 - other.2)
            return dr * dr + dg * dg + db * db
        }
        return candidates.min { distance($0) < distance($1) }!
    }
}
