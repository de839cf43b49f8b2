/// A type an option or argument's text converts to.
public protocol ArgumentValue {
    /// The value `text` spells, or nil when it spells none.
    init?(argument text: String)
    /// Every value there is, for help and for the error that lists them; nil when unbounded.
    static var allowedValues: [String]? { get }
    /// How help shows a default.
    var argumentText: String { get }
}

extension ArgumentValue {
    public static var allowedValues: [String]? { nil }
}

extension String: ArgumentValue {
    public init?(argument text: String) { self = text }
    public var argumentText: String { self }
}

extension Int: ArgumentValue {
    public init?(argument text: String) { self.init(text) }
    public var argumentText: String { String(self) }
}

/// An enumeration of words, such as `--color auto|always|never`.
extension ArgumentValue where Self: RawRepresentable, Self.RawValue == String, Self: CaseIterable {
    public init?(argument text: String) { self.init(rawValue: text) }
    public static var allowedValues: [String]? { allCases.map(\.rawValue) }
    public var argumentText: String { rawValue }
}
