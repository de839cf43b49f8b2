/// A program of several commands, one of which runs when none is named.
public struct Program {
    public let name: String
    public let version: String
    public let abstract: String
    public let discussion: String
    public let commands: [any Command.Type]
    public let defaultCommand: any Command.Type

    public init(name: String, version: String, abstract: String, discussion: String, commands: [any Command.Type], defaultCommand: any Command.Type) {
        self.name = name
        self.version = version
        self.abstract = abstract
        self.discussion = discussion
        self.commands = commands
        self.defaultCommand = defaultCommand
    }

    /// What the words of a command line ask for.
    public enum Invocation {
        /// Print this (help, the version) on standard output; nothing else to do.
        case print(String)
        /// Run this command, parsed and validated.
        case run(any Command)
    }

    /// Reads `words`, the command line without the program's own name.
    ///
    /// `plumb <command> ...` is that command's; `plumb help <command>` its help; `plumb --help`
    /// and `plumb help` list the commands; any other line is the default command's.
    public func parse(_ words: [String]) throws(UsageError) -> Invocation {
        guard let first = words.first else { return try invocation(defaultCommand, []) }
        if words == ["--version"] { return .print(version + "\n") }
        if words == ["--help"] || words == ["-h"] || words == ["help"] || words == ["help", "help"] { return .print(HelpText.program(self)) }
        if first == "help" {
            let command = try self.command(named: words[1])
            if words.count > 2 { throw UsageError("Unexpected argument '\(words[2])'") }
            return .print(HelpText.command(command, program: name))
        }
        if let command = commands.first(where: { $0.summary.name == first }) { return try invocation(command, Array(words.dropFirst())) }
        // A word where a command's name goes, and the default command takes no arguments: a misspelt command.
        if !first.hasPrefix("-"), !defaultCommand.takesArguments { _ = try command(named: first) }
        return try invocation(defaultCommand, words)
    }

    private func command(named name: String) throws(UsageError) -> any Command.Type {
        if let command = commands.first(where: { $0.summary.name == name }) { return command }
        let suggestion = nearest(name, among: commands.map { $0.summary.name })
        throw UsageError("Unknown command '\(name)'" + (suggestion.map { ". Did you mean '\($0)'?" } ?? ""))
    }

    private func invocation<Root: Command>(_ type: Root.Type, _ words: [String]) throws(UsageError) -> Invocation {
        switch try LineParser.parse(words, as: type) {
        case .help: return .print(HelpText.command(type, program: name))
        case .run(let command):
            try command.validate()
            return .run(command)
        }
    }
}
