/// A command of a program: the words its help shows, the parameters it reads, and what it does.
///
/// A command is a plain struct: `init()` gives every property its default, `parameters` says
/// which command-line words set which property. Nothing is found by reflection, so parsing costs
/// microseconds rather than the milliseconds a `Mirror` over property wrappers took at each start.
public protocol Command {
    init()
    static var summary: CommandSummary { get }
    static var parameters: [Parameter<Self>] { get }
    /// Checks the values together once all are parsed.
    func validate() throws(UsageError)
    func run() async throws
}

extension Command {
    public func validate() throws(UsageError) {}

    /// Whether any word goes by its place rather than a name.
    static var takesArguments: Bool { parameters.contains { !$0.isNamed } }
}

/// What help says about a command.
public struct CommandSummary: Sendable {
    public let name: String
    public let abstract: String
    public let discussion: String

    public init(name: String, abstract: String, discussion: String = "") {
        self.name = name
        self.abstract = abstract
        self.discussion = discussion
    }
}

/// A mistake on the command line, in one sentence that names the word at fault.
public struct UsageError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) { self.description = description }
}

/// Ends the program with this status, after the command has said what it had to.
public struct ExitCode: Error, Equatable {
    public let status: Int32

    public init(_ status: Int32) { self.status = status }
}
