/// The built-in themes, embedded so the binary needs nothing beside it. Each text is the same,
/// byte for byte, as its file in `themes/`, where users find them to copy (a test compares them).
extension Theme {
    /// The built-ins' file names (without `.yaml`) and texts, in the order a listing shows them.
    static let builtInSources: [(name: String, text: String)] = [
        ("default", defaultThemeText),
        ("light", lightThemeText),
        ("high-contrast", highContrastThemeText),
        ("monochrome", monochromeThemeText),
    ]

    /// The built-in themes: default, light, high-contrast, monochrome.
    public static let builtIn: [Theme] = builtInSources.map { source in
        switch parse(source.text, file: "themes/\(source.name).yaml") {
        case .success(let theme): return theme
        case .failure(let error): fatalError("a built-in theme does not parse: \(error)")
        }
    }
}

private let defaultThemeText = #"""
    # plumb's default theme, for a terminal with a dark background.
    #
    # Resource states differ in attributes as well as colour, so nobody has to tell red
    # from green: synced is plain, drift bold, missing bold and underlined, extra
    # underlined, and an error bold and reversed. The colours are a second cue, chosen
    # to stay apart for colour-blind readers: blue synced, orange drift, purple missing,
    # yellow extra, grey unknown.
    #
    # To make a theme of your own, copy this file to ~/.config/plumb/themes/<name>.yaml
    # (or $XDG_CONFIG_HOME/plumb/themes) and change `name`. A colour is default (the
    # terminal's own), a name (black, red, green, yellow, blue, magenta, cyan, white,
    # bright-black ... bright-white, gray), a number 0-255, or "#rrggbb" in quotes. The
    # attributes are bold, underline, reverse and dim. A role left out looks like `normal`.
    name: default
    roles:
      normal:    { fg: default, bg: default }
      header:    { fg: black, bg: cyan, attributes: [bold] }
      # 244 is a mid grey that falls back to white on an 8-colour terminal, where
      # bright-black would become black and vanish on a black background.
      border:    { fg: 244 }
      title:     { fg: cyan, attributes: [bold] }
      # The selected row keeps its status colours on a grey background; a terminal
      # that cannot show the grey reverses the row instead.
      selection: { bg: 237 }
      synced:    { fg: "#5fafd7" }
      drift:     { fg: "#ff8700", attributes: [bold] }
      missing:   { fg: "#d75fd7", attributes: [bold, underline] }
      extra:     { fg: "#ffd75f", attributes: [underline] }
      unknown:   { fg: 244 }
      error:     { fg: bright-red, attributes: [bold, reverse] }
      warning:   { fg: bright-yellow, attributes: [bold] }
      info:      { fg: cyan }
      # Blue additions and orange deletions, as colour-blind-friendly diff views show
      # them; the + and - at the start of each line still say which is which.
      diff-add:  { fg: "#5fafff" }
      diff-del:  { fg: "#d7875f" }
      diff-hunk: { fg: "#af87ff", attributes: [bold] }
      muted:     { fg: 244 }
      footer:    { fg: black, bg: cyan }
      key:       { fg: black, bg: cyan, attributes: [bold] }
      # Dialogs keep the terminal's background, framed in `title`: the plan lines inside
      # them keep their own colours on it.
      dialog:    { fg: bright-white }
      match:     { fg: black, bg: yellow }
      applied:   { fg: bright-cyan, attributes: [bold] }

    """#

private let lightThemeText = #"""
    # plumb's theme for a terminal with a light background: dark foregrounds that stay
    # readable on white.
    #
    # Resource states differ in attributes as well as colour, as in the default theme:
    # synced is plain, drift bold, missing bold and underlined, extra underlined, and an
    # error bold and reversed. The colours are a second cue, chosen to stay apart for
    # colour-blind readers: blue synced, brown-orange drift, purple missing, teal extra,
    # grey unknown.
    name: light
    roles:
      normal:    { fg: default, bg: default }
      header:    { fg: bright-white, bg: blue, attributes: [bold] }
      # 242 is a dark grey that falls back to black on an 8-colour terminal; a lighter
      # grey would fall back to white and vanish.
      border:    { fg: 242 }
      title:     { fg: blue, attributes: [bold] }
      # The selected row keeps its status colours on a light grey background.
      selection: { bg: 253 }
      synced:    { fg: "#005fd7" }
      drift:     { fg: "#af5f00", attributes: [bold] }
      missing:   { fg: "#870087", attributes: [bold, underline] }
      extra:     { fg: "#008787", attributes: [underline] }
      unknown:   { fg: 242 }
      error:     { fg: "#d70000", attributes: [bold, reverse] }
      warning:   { fg: "#875f00", attributes: [bold] }
      info:      { fg: blue }
      # Blue additions and orange deletions, as colour-blind-friendly diff views show
      # them; the + and - at the start of each line still say which is which.
      diff-add:  { fg: "#005fd7" }
      diff-del:  { fg: "#af5f00" }
      diff-hunk: { fg: "#870087", attributes: [bold] }
      muted:     { fg: 242 }
      footer:    { fg: bright-white, bg: blue }
      key:       { fg: bright-white, bg: blue, attributes: [bold] }
      dialog:    { fg: black }
      match:     { fg: black, bg: "#ffd75f" }
      applied:   { fg: "#005fd7", attributes: [bold] }

    """#

private let highContrastThemeText = #"""
    # plumb's high-contrast theme, for a dark background and for readers who need strong
    # contrast: bright colours, bold text, and no dim.
    #
    # Resource states differ in attributes as well as colour: synced is plain, drift
    # bold, missing bold and underlined, extra underlined, and an error bold and
    # reversed. The colours come from the terminal's bright palette, which its own
    # settings can tune: cyan synced, yellow drift, magenta missing, white extra, plain
    # white unknown. Dim is never used: faint text is what this theme is for avoiding.
    name: high-contrast
    roles:
      normal:    { fg: bright-white, bg: default }
      header:    { fg: black, bg: bright-cyan, attributes: [bold] }
      border:    { fg: bright-white }
      title:     { fg: bright-white, attributes: [bold, underline] }
      # The selected row keeps its bright status colours, in bold on blue.
      selection: { bg: blue, attributes: [bold] }
      synced:    { fg: bright-cyan }
      drift:     { fg: bright-yellow, attributes: [bold] }
      missing:   { fg: bright-magenta, attributes: [bold, underline] }
      extra:     { fg: bright-white, attributes: [underline] }
      unknown:   { fg: white }
      error:     { fg: bright-red, attributes: [bold, reverse] }
      warning:   { fg: bright-yellow, attributes: [bold] }
      info:      { fg: bright-cyan, attributes: [bold] }
      diff-add:  { fg: bright-cyan, attributes: [bold] }
      diff-del:  { fg: bright-yellow, attributes: [bold] }
      diff-hunk: { fg: bright-magenta, attributes: [bold, underline] }
      muted:     { fg: white }
      footer:    { fg: black, bg: bright-white }
      key:       { fg: black, bg: bright-cyan, attributes: [bold] }
      dialog:    { fg: bright-white, attributes: [bold] }
      match:     { fg: black, bg: bright-magenta, attributes: [bold] }
      applied:   { fg: bright-cyan, attributes: [bold, underline] }

    """#

private let monochromeThemeText = #"""
    # plumb's monochrome theme: no colour at all, for terminals without colour and for
    # anyone who wants the terminal's own colours everywhere.
    #
    # Attributes alone keep every state apart: synced is plain, drift bold, missing bold
    # and underlined, extra underlined, unknown dim, and an error bold and reversed. The
    # selection is reversed; the header and footer are bars.
    name: monochrome
    roles:
      normal:    {}
      header:    { attributes: [bold, reverse] }
      border:    { attributes: [dim] }
      title:     { attributes: [bold] }
      selection: { attributes: [reverse] }
      synced:    {}
      drift:     { attributes: [bold] }
      missing:   { attributes: [bold, underline] }
      extra:     { attributes: [underline] }
      unknown:   { attributes: [dim] }
      error:     { attributes: [bold, reverse] }
      warning:   { attributes: [bold] }
      info:      {}
      diff-add:  { attributes: [bold] }
      diff-del:  { attributes: [dim] }
      diff-hunk: { attributes: [underline] }
      muted:     { attributes: [dim] }
      footer:    { attributes: [reverse] }
      key:       { attributes: [bold, reverse] }
      dialog:    {}
      match:     { attributes: [bold, underline] }
      applied:   { attributes: [bold] }

    """#
