/// A key as the console's core sees it: the backend turns terminal input into these.
public enum Key: Hashable, Sendable {
    case char(Character)
    /// Ctrl with a letter: `.ctrl("c")`.
    case ctrl(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, escape, tab, backTab, backspace, delete
    case function(Int)
}

/// A mouse action the console understands: a click selects, the wheel scrolls.
public enum MouseAction: Hashable, Sendable {
    case click(x: Int, y: Int)
    case wheelUp(x: Int, y: Int)
    case wheelDown(x: Int, y: Int)
}

/// What the terminal says: a key, a new size, a mouse action.
public enum InputEvent: Hashable, Sendable {
    case key(Key)
    case resize(width: Int, height: Int)
    case mouse(MouseAction)
}
