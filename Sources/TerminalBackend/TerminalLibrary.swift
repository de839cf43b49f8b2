import CNcurses

/// Facts about the terminal library plumb is linked with; `plumb --version` prints them.
/// The console's ncurses backend will live beside this file: it is the only module that imports ncurses.
public enum TerminalLibrary {
    /// ncurses' own version string, such as `ncurses 6.4.20221231`.
    public static var version: String { String(cString: plumb_ncurses_version()) }
}
