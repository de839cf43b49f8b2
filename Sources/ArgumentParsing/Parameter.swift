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
        valued(.option, long, short, valueName, help, store: { $0[keyPath: path] = $1 as Value })
    }

    /// `--long <value>` with the property's initial value as the default help shows.
    public static func option<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value>, _ long: String?, short: Character? = nil,
                                                    value valueName: String, help: String) -> Parameter {
        valued(.option, long, short, valueName, help, store: { $0[keyPath: path] = $1 }, defaultText: { $0[keyPath: path].argumentText })
    }

    /// `<value>`, which must be given.
    public static func argument<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value>, value valueName: String, help: String) -> Parameter {
        valued(.argument(.one), nil, nil, valueName, help, store: { $0[keyPath: path] = $1 })
    }

    /// `[<value>]`, nil when not given.
    public static func argument<Value: ArgumentValue>(_ path: WritableKeyPath<Root, Value?>, value valueName: String, help: String) -> Parameter {
        valued(.argument(.optional), nil, nil, valueName, help, store: { $0[keyPath: path] = $1 as Value })
    }

    /// `[<value> ...]`: every remaining word, in order.
    public static func arguments<Value: ArgumentValue>(_ path: WritableKeyPath<Root, [Value]>, value valueName: String, help: String) -> Parameter {
        valued(.argument(.repeating), nil, nil, valueName, help, store: { $0[keyPath: path].append($1) })
    }

    /// A parameter with a value: the word converted to `Value`, then stored by `store`.
    private static func valued<Value: ArgumentValue>(_ kind: ParameterKind, _ long: String?, _ short: Character?, _ valueName: String,
                                                     _ help: String, store: @escaping (inout Root, Value) -> Void,
                                                     defaultText: @escaping (Root) -> String? = { _ in nil }) -> Parameter {
        precondition(kind != .option || long != nil || short != nil, "an option needs a name")
        return Parameter(kind: kind, long: long, short: short, valueName: valueName, help: help, allowedValues: Value.allowedValues,
                         assign: { root, text in
                             guard let value = Value(argument: text) else { return false }
                             store(&root, value)
                             return true
                         },
                         defaultText: defaultText)
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
