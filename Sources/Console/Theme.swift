import DesiredState
import Foundation
import Yams

/// How one role looks. The attributes matter as much as the colours: they are what keeps roles
/// apart on a terminal without colour and for readers who cannot tell the colours apart.
public struct RoleStyle: Hashable, Sendable {
    public var fg: ColorSpec
    public var bg: ColorSpec
    public var bold: Bool
    public var underline: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(fg: ColorSpec = .default, bg: ColorSpec = .default,
                bold: Bool = false, underline: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.fg = fg
        self.bg = bg
        self.bold = bold
        self.underline = underline
        self.reverse = reverse
        self.dim = dim
    }
}

/// A named set of role styles, read from YAML so users can write their own.
public struct Theme: Sendable {
    public let name: String
    /// The roles the theme sets; `style(_:)` fills in the others.
    public let styles: [Role: RoleStyle]

    /// The style of a role; a role the theme leaves out looks like `normal`, so a theme can be short.
    public func style(_ role: Role) -> RoleStyle {
        styles[role] ?? styles[.normal] ?? RoleStyle()
    }

    /// A role on the selected row: the selection's colours where it sets them, the role's where
    /// it does not, and the attributes of both. A theme that gives the selection only a
    /// background keeps every status colour of the selected row.
    public func style(_ role: Role, selected: Bool) -> RoleStyle {
        guard selected else { return style(role) }
        let own = style(role), selection = style(.selection)
        return RoleStyle(fg: selection.fg == .default ? own.fg : selection.fg, bg: selection.bg == .default ? own.bg : selection.bg,
                         bold: own.bold || selection.bold, underline: own.underline || selection.underline,
                         reverse: own.reverse || selection.reverse, dim: own.dim || selection.dim)
    }

    /// Reads a theme file, reporting every problem as `file:line:column: message` so one edit can fix them all.
    public static func parse(_ text: String, file: String) -> Result<Theme, ThemeError> {
        var reader = ThemeReader(file: file)
        var theme: Theme?
        switch YAMLReader.document(Array(text.utf8), file: file) {
        case .success(let node): theme = reader.theme(node)
        case .failure(let problem): reader.diagnostics.append(problem)
        }
        if let theme, reader.diagnostics.isEmpty { return .success(theme) }
        return .failure(ThemeError(reader.diagnostics.map(\.description).joined(separator: "\n")))
    }
}

/// Why a theme cannot be used: one line per problem, each naming its file and, where it has one, its line.
public struct ThemeError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

// MARK: - Reading YAML

/// Walks a theme's nodes, collecting complaints instead of stopping at the first.
private struct ThemeReader {
    static let colorHelp = "write default, a name such as red or bright-blue, a number 0-255, or #rrggbb"

    let file: String
    var diagnostics: [Diagnostic] = []

    /// Records a problem at `node`, or at the top of the file when there is no node to point at.
    mutating func complain(_ node: Node?, _ message: String) {
        let mark = node?.mark
        diagnostics.append(Diagnostic(SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1), message))
    }

    /// A node as a message names it: its text in backquotes, or what kind of node it is.
    func quote(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): "`\(scalar.string.escapingControlCharacters)`"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    mutating func theme(_ root: Node?) -> Theme? {
        guard let root, case .mapping(let top) = root else {
            complain(root, "a theme must be a mapping with `name` and `roles`\(root.map { ", not \(quote($0))" } ?? "")")
            return nil
        }
        var name: String?, hasName = false
        var styles: [Role: RoleStyle] = [:]
        for (key, value) in top {
            switch key.scalar?.string {
            case "name":
                hasName = true
                name = self.name(value)
            case "roles":
                styles = roles(value)
            default:
                complain(key, "unknown field \(quote(key)) in a theme (expected name, roles)")
            }
        }
        if !hasName { complain(root, "a theme needs a `name`") }
        return name.map { Theme(name: $0, styles: styles) }
    }

    mutating func name(_ node: Node) -> String? {
        // Escaping changes the text exactly when it holds control characters.
        guard let text = node.scalar?.string, !text.isEmpty, text.escapingControlCharacters == text else {
            complain(node, "`name` must be non-empty text without control characters")
            return nil
        }
        return text
    }

    mutating func roles(_ node: Node) -> [Role: RoleStyle] {
        guard case .mapping(let mapping) = node else {
            complain(node, "`roles` must be a mapping from role names to styles, not \(quote(node))")
            return [:]
        }
        var styles: [Role: RoleStyle] = [:]
        for (key, value) in mapping {
            guard let role = key.scalar.flatMap({ Role(rawValue: $0.string) }) else {
                complain(key, "unknown role \(quote(key)) (expected \(Role.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            styles[role] = style(value, of: role)
        }
        return styles
    }

    mutating func style(_ node: Node, of role: Role) -> RoleStyle? {
        guard case .mapping(let mapping) = node else {
            complain(node, "the style of `\(role.rawValue)` must be a mapping such as { fg: red, attributes: [bold] }, not \(quote(node))")
            return nil
        }
        var style = RoleStyle()
        for (key, value) in mapping {
            switch key.scalar?.string {
            case "fg": style.fg = color(value, field: "fg")
            case "bg": style.bg = color(value, field: "bg")
            case "attributes": attributes(value, into: &style)
            default: complain(key, "unknown field \(quote(key)) in the style of `\(role.rawValue)` (expected fg, bg, attributes)")
            }
        }
        return style
    }

    /// A colour, or the default after a complaint (the theme is rejected anyway).
    mutating func color(_ node: Node, field: String) -> ColorSpec {
        if let text = node.scalar?.string, let color = ColorSpec.parse(text) { return color }
        if node.scalar?.string.isEmpty == true {
            // The usual cause: `fg: #ff8700` without quotes, where YAML reads `#` as a comment.
            complain(node, "`\(field)` has no colour: \(Self.colorHelp), with quotes around #rrggbb since a bare # starts a comment")
        } else {
            complain(node, "bad colour \(quote(node)): \(Self.colorHelp)")
        }
        return .default
    }

    mutating func attributes(_ node: Node, into style: inout RoleStyle) {
        guard case .sequence(let items) = node else {
            complain(node, "`attributes` must be a list such as [bold, underline], not \(quote(node))")
            return
        }
        for item in items {
            switch item.scalar?.string {
            case "bold": style.bold = true
            case "underline": style.underline = true
            case "reverse": style.reverse = true
            case "dim": style.dim = true
            default: complain(item, "unknown attribute \(quote(item)) (expected bold, underline, reverse, dim)")
            }
        }
    }
}
