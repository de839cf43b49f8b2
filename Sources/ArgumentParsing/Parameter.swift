/// One word, or word and value, a command's line can hold, and the property of `Root` it sets.
///
/// Made by the factories below from a key path, so a command declares each parameter once, next
/// to the property it fills, and reads typed values with no lookup by name.
public struct Parameter<Root> {
    public let kind: ParameterKind
    public let long: String?
    public let short: Character?
    /// What help calls the value: `url|path` in `--repo <url|path>`.
    public let valueName: String
    public let help: String
    /// Every value there is, when the type has a fixed set of them.
    public let allowedValues: [String]?
    /// Sets the property from the word's text (ignored by a flag); false when the text spells no value.
    let assign: (inout Root, String) -> Bool
    /// The default help shows, read from a `Root()`; nil when there is none to show.
    let defaultText: (Root) -> String?

    /// A flag or an option: found by its name rather than its place.
    public var isNamed: Bool { kind == .flag || kind == .option }

    /// How an error names it: `--repo <url|path>`, `-n <N>`, `--json`, `<name>`.
    public var synopsis: String {
        switch kind {
        case .flag: return long.map { "--" + $0 } ?? "-\(short!)"
        case .option: return (long.map { "--" + $0 } ?? "-\(short!)") + " <\(valueName)>"
        case .argument: return "<\(valueName)>"
        }
    }

    /// Lifts a group's parameter to a command holding the group at `path`.
    func within<Outer>(_ path: WritableKeyPath<Outer, Root>) -> Parameter<Outer> {
        let assign = self.assign, defaultText = self.defaultText
        return Parameter<Outer>(kind: kind, long: long, short: short, valueName: valueName, help: help, allowedValues: allowedValues,
                                assign: { outer, text in assign(&outer[keyPath: path], text) },
                                defaultText: { outer in defaultText(outer[keyPath: path]) })
    }
}

extension Parameter {
    /// `--long` (and `-s`): true when given.
    public static func flag(_ path: WritableKeyPath<Root, Bool>, _ long: String, short: Character? = nil, help: String) -> Parameter {
        Parameter(kind: .flag, long: long, short: short, valueName: "", help: help, allowedValues: nil,
                  assign: { root, _ in root[keyPath: path] = true; return true }, defaultText: { _ in nil })
    }

    /// `--long <value>` (or `-s <value>`), nil when not given.
    public static func option<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value?>, _ long: String?, short: Character? = nil,
                                                    value valueName: String, help: String) -> Parameter {
        precondition(long != nil || short != nil, "an option needs a name")
        return Parameter(kind: .option, long: long, short: short, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                         assign: { root, text in Value(argument: text).map { root[keyPath: path] = $0 } != nil }, defaultText: { _ in nil })
    }

    /// `--long <value>` with the property's initial value as the default help shows.
    public static func option<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value>, _ long: String?, short: Character? = nil,
                                                    value valueName: String, help: String) -> Parameter {
        precondition(long != nil || short != nil, "an option needs a name")
        return Parameter(kind: .option, long: long, short: short, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                         assign: { root, text in Value(argument: text).map { root[keyPath: path] = $0 } != nil },
                         defaultText: { root in root[keyPath: path].argumentText })
    }

    /// `<value>`, which must be given.
    public static func argument<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value>, value valueName: String, help: String) -> Parameter {
        Parameter(kind: .argument(.one), long: nil, short: nil, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                  assign: { root, text in Value(argument: text).map { root[keyPath: path] = $0 } != nil }, defaultText: { _ in nil })
    }

    /// `[<value>]`, nil when not given.
    public static func argument<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value?>, value valueName: String, help: String) -> Parameter {
        Parameter(kind: .argument(.optional), long: nil, short: nil, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                  assign: { root, text in Value(argument: text).map { root[keyPath: path] = $0 } != nil }, defaultText: { _ in nil })
    }

    /// `[<value> ...]`: every remaining word, in order.
    public static func arguments<Value: ArgumentValue>(_ path: WritableKeyPath<Root, [Value]>, value valueName: String, help: String) -> Parameter {
        Parameter(kind: .argument(.repeating), long: nil, short: nil, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                  assign: { root, text in Value(argument: text).map { root[keyPath: path].append($0) } != nil }, defaultText: { _ in nil })
    }
}

/// Parameters several commands share, such as where the source and target are.
public protocol ParameterGroup {
    init()
    static var parameters: [Parameter<Self>] { get }
}

extension Parameter {
    /// Every parameter of the group a command holds at `path`.
    public static func group<Group: ParameterGroup>(_ path: WritableKeyPath<Root, Group>) -> [Parameter] {
        Group.parameters.map { $0.within(path) }
    }
}

/// What a parameter is on the line.
public enum ParameterKind: Equatable, Sendable {
    /// `--json`: present or not.
    case flag
    /// `--repo <url|path>`, `-n <N>`: a word and the value after it.
    case option
    /// `<name>`: a word by its place on the line.
    case argument(Arity)
}

/// How many words an argument takes.
public enum Arity: Equatable, Sendable {
    case one, optional, repeating
}
