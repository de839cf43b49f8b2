import CNcurses
import Console
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why the console cannot start: one clear sentence, shown after the terminal is restored.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// The only code that talks to ncurses: it draws cell buffers, reads input, and always gives the
/// terminal back.
///
/// Signals: ncurses catches SIGINT and SIGTERM at `newterm` only when they are still `SIG_DFL`;
/// its handler calls `endwin` and `_exit(1)`. A caller that watches them with a DispatchSource
/// sets them to `SIG_IGN` first (before or after this init), which replaces that handler, so the
/// two do not fight. Ctrl-C and Ctrl-Z raise no signal here: the terminal is in raw mode, so they
/// arrive as keys. ncurses also keeps its SIGWINCH handler, which is what turns a resize into
/// `KEY_RESIZE`. Crash signals get a handler that restores the screen first (see the shim).
public final class Terminal {
    /// Colours the terminal has for plumb: 0 (none, or noColor), 8, 16, 256.
    public private(set) var colors: Int

    private let screen: OpaquePointer
    let window: UnsafeMutablePointer<WINDOW>
    /// What a theme's `default` colour becomes, matching pair 0: the terminal's own (-1) when
    /// `use_default_colors` works, else white on black.
    let defaultColors: (foreground: Int16, background: Int16)
    /// Each role's attributes and colour pair, plain and on the selected row; roles draw plain
    /// until a theme is applied.
    var styles: [StyleKey: CellStyle] = [:]
    /// What the screen shows, to draw only changes; nil forces a full redraw.
    var drawn: CellBuffer?
    /// Set once the terminal is given back: from then on nothing draws or reads, since ncurses
    /// would re-enter curses mode on its own and leave the shell in it.
    private(set) var restored = false

    /// Sets up the terminal. `noColor`: no colour at all (NO_COLOR set, or asked): attributes only.
    /// Throws before anything is drawn, leaving the terminal untouched, when standard input or
    /// output is not a terminal, or TERM is unset, unknown or cannot move the cursor.
    public init(noColor: Bool) throws {
        let type = try Self.usableType()
        // Before ncurses starts, or it reads the C locale and draws UTF-8 as garbage.
        setlocale(LC_ALL, "")
        // newterm, unlike initscr, returns nil instead of exiting when it cannot start.
        guard let screen = newterm(nil, plumb_stdout(), plumb_stdin()) else {
            throw TerminalError(description: "ncurses could not set up the terminal type TERM=\(type); try TERM=xterm-256color")
        }
        set_term(screen)
        plumb_install_crash_restore()
        self.screen = screen
        window = plumb_stdscr()

        // Raw, so Ctrl-C and Ctrl-Z arrive as keys; nonl, so Enter is 13 and output is not translated.
        raw()
        noecho()
        nonl()
        keypad(window, true)
        curs_set(0)
        leaveok(window, true)
        // Escape alone is a key here: wait only briefly for the rest of a sequence.
        set_escdelay(25)
        wtimeout(window, 0)
        // Optional: without a mouse the keys still do everything.
        mousemask(plumb_button1_clicked() | plumb_button1_pressed() | plumb_button4_pressed() | plumb_button5_pressed(), nil)
        mouseinterval(0)

        if !noColor && has_colors() && start_color() == OK {
            defaultColors = use_default_colors() == OK ? (-1, -1) : (Int16(COLOR_WHITE), Int16(COLOR_BLACK))
            colors = Self.paletteSize(plumb_colors())
        } else {
            defaultColors = (-1, -1)
            colors = 0
        }
    }

    /// The terminal type, when standard input and output are a terminal that ncurses can drive:
    /// checked before anything is drawn, and by commands that will open the console later.
    public static func usableType() throws -> String {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "plumb ui needs a terminal: run it in one, or use plumb status and plumb agent")
        }
        guard let type = getenv("TERM").map({ String(cString: $0) }), !type.isEmpty else {
            throw TerminalError(description: "TERM is not set: set it to your terminal's type, such as xterm-256color")
        }
        switch plumb_terminal_support(type) {
        case -1: throw TerminalError(description: "the terminal type TERM=\(type) is unknown (no terminfo entry); try TERM=xterm-256color")
        case 0: throw TerminalError(description: "the terminal type TERM=\(type) cannot move the cursor, which plumb ui needs; try TERM=xterm-256color")
        default: return type
        }
    }

    deinit {
        restore()
        // After endwin; ncurses forgets the current screen, so the crash handler finds none.
        delscreen(screen)
    }

    /// The palette plumb uses out of the terminal's. A direct-colour terminal (COLORS 2^24) reads
    /// numbers from 8 up as RGB values, not palette entries, so it gets the 8 basic colours.
    private static func paletteSize(_ count: Int32) -> Int {
        switch count {
        case 256: 256
        case 257...: 8
        case 16..<256: 16
        case 8..<16: 8
        default: 0
        }
    }

    public var width: Int { Int(getmaxx(window)) }
    public var height: Int { Int(getmaxy(window)) }

    /// The descriptor to poll(2) for input (standard input).
    public var inputDescriptor: Int32 { STDIN_FILENO }

    /// Writes a byte to `descriptor` (a non-blocking pipe's write end) on each resize, so a thread
    /// waiting in poll(2) wakes even when the signal went to another thread; `readInput` then
    /// returns the resize.
    public func wakeOnResize(_ descriptor: Int32) { plumb_wake_on_resize(descriptor) }

    /// Gives the terminal back (endwin), once; safe to call again; also called by deinit.
    public func restore() {
        guard !restored else { return }
        restored = true
        // A second endwin, here or in the crash handler, would garble the shell's next line.
        if !isendwin() { endwin() }
    }
}
