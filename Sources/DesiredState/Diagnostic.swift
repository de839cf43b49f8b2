/// A place in the desired-state repository, relative to the source root.
public struct SourceLocation: Sendable, Hashable, Codable, CustomStringConvertible {
    public let file: String
    public let line: Int
    public let column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// The file name escaped: it comes from git, and may hold what would drive a terminal.
    public var description: String { "\(file.escapingControlCharacters):\(line):\(column)" }
}

/// One thing wrong with the desired state, printed as `<file>:<line>:<column>: <message>`.
public struct Diagnostic: Sendable, Hashable, Codable, CustomStringConvertible, Error {
    public let location: SourceLocation
    public let message: String

    public init(_ location: SourceLocation, _ message: String) {
        self.location = location
        self.message = message
    }

    public var description: String { "\(location): \(message.escapingControlCharacters)" }
}
