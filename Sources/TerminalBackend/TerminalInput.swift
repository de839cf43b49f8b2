import CNcurses
import Console

extension Terminal {
    /// Every input waiting, without blocking: keys, resizes (with the new size) and mouse clicks
    /// and wheel turns. Input the console has no use for is dropped.
    public func readInput() -> [InputEvent] {
        guard !restored else { return [] }
        var events: [InputEvent] = []
        var code: wint_t = 0
        while true {
            switch wget_wch(window, &code) {
            case OK:
                if let key = Self.key(character: UInt32(code)) { events.append(.key(key)) }
            case KEY_CODE_YES:
                if let event = event(keyCode: Int32(code)) { events.append(event) }
            default:
                return events
            }
        }
    }

    /// A typed character: control codes become the keys they are on a keyboard.
    static func key(character code: UInt32) -> Key? {
        switch code {
        case 9: .tab
        case 10, 13: .enter
        case 27: .escape
        case 8, 127: .backspace
        case 1...26: .ctrl(Character(Unicode.Scalar(UInt8(96 + code))))
        case 0..<32, 0x80..<0xA0: nil
        default: Unicode.Scalar(code).map { .char(Character($0)) }
        }
    }

    /// A key ncurses decoded from an escape sequence, a resize or a mouse event.
    private func event(keyCode code: Int32) -> InputEvent? {
        switch code {
        case KEY_UP: .key(.up)
        case KEY_DOWN: .key(.down)
        case KEY_LEFT: .key(.left)
        case KEY_RIGHT: .key(.right)
        case KEY_PPAGE: .key(.pageUp)
        case KEY_NPAGE: .key(.pageDown)
        case KEY_HOME: .key(.home)
        case KEY_END: .key(.end)
        case KEY_BTAB: .key(.backTab)
        case KEY_ENTER: .key(.enter)
        case KEY_BACKSPACE: .key(.backspace)
        case KEY_DC: .key(.delete)
        case KEY_F0 + 1 ... KEY_F0 + 63: .key(.function(Int(code - KEY_F0)))
        case KEY_RESIZE: resized()
        case KEY_MOUSE: mouse()
        default: nil
        }
    }

    /// ncurses has already resized its windows; the terminal may have moved or reflowed what it
    /// showed, so the next draw clears it and draws everything.
    private func resized() -> InputEvent {
        clearok(window, true)
        drawn = nil
        return .resize(width: width, height: height)
    }

    private func mouse() -> InputEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let (x, y) = (Int(event.x), Int(event.y))
        if event.bstate & (plumb_button1_clicked() | plumb_button1_pressed()) != 0 { return .mouse(.click(x: x, y: y)) }
        if event.bstate & plumb_button4_pressed() != 0 { return .mouse(.wheelUp(x: x, y: y)) }
        if event.bstate & plumb_button5_pressed() != 0 { return .mouse(.wheelDown(x: x, y: y)) }
        return nil
    }
}
