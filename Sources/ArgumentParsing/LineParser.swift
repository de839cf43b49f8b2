/// Reads the words after a command's name into a value of that command.
///
/// The grammar is git's and POSIX's: `--name value` or `--name=value`, `-n value` or `-nvalue`,
/// flags grouped as `-af`, `--` before words that are arguments whatever they start with, and
/// the last of a repeated option wins. A value may start with `-` unless it is one of the
/// command's own option names, which means the value was left out.
enum LineParser {
    /// What the words ask for.
    enum Outcome<Root> {
        case run(Root)
        case help
    }

    static func parse<Root: Command>(_ words: [String], as: Root.Type) throws(UsageError) -> Outcome<Root> {
        let parameters = Root.parameters
        var command = Root()
        var arguments: [String] = []
        var remaining = words[...]
        var onlyArguments = false

        /// The value for `parameter`: attached to its word, else the next word.
        func value(for parameter: Parameter<Root>, attached: Substring?) throws(UsageError) -> String {
            if let attached, !attached.isEmpty { return String(attached) }
            guard attached == nil, let next = remaining.first, !isOptionName(next, in: parameters) else {
                throw UsageError("Missing value for '\(parameter.synopsis)'")
            }
            remaining.removeFirst()
            return next
        }

        func assign(_ parameter: Parameter<Root>, _ text: String) throws(UsageError) {
            guard parameter.assign(&command, text) else { throw invalidValue(text, for: parameter) }
        }

        while let word = remaining.popFirst() {
            if onlyArguments || word == "-" || !word.hasPrefix("-") {
                arguments.append(word)
            } else if word == "--" {
                onlyArguments = true
            } else if word == "--help" || word == "-h" {
                return .help
            } else if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name = body.prefix { $0 != "=" }
                let attached = name.endIndex < body.endIndex ? body[body.index(after: name.endIndex)...] : nil
                guard let parameter = named(long: name, in: parameters) else {
                    throw unknownOption("--" + name, parameters: parameters)
                }
                if parameter.kind == .flag {
                    if attached != nil { throw UsageError("'--\(name)' takes no value") }
                    try assign(parameter, "")
                } else {
                    try assign(parameter, try value(for: parameter, attached: attached))
                }
            } else {
                // A cluster of short names: flags, the last of which may be an option with its value.
                var letters = word.dropFirst()
                while let letter = letters.popFirst() {
                    if letter == "h" { return .help }
                    guard let parameter = named(short: letter, in: parameters) else {
                        throw unknownOption("-\(letter)", parameters: parameters)
                    }
                    if parameter.kind == .flag {
                        try assign(parameter, "")
                    } else {
                        try assign(parameter, try value(for: parameter, attached: letters.isEmpty ? nil : letters))
                        break
                    }
                }
            }
        }

        var words = arguments[...]
        for parameter in parameters {
            guard case .argument(let arity) = parameter.kind else { continue }
            switch arity {
            case .one:
                guard let word = words.popFirst() else { throw UsageError("Missing expected argument '\(parameter.synopsis)'") }
                try assign(parameter, word)
            case .optional:
                if let word = words.popFirst() { try assign(parameter, word) }
            case .repeating:
                while let word = words.popFirst() { try assign(parameter, word) }
            }
        }
        if let extra = words.first { throw UsageError("Unexpected argument '\(extra)'") }
        return .run(command)
    }

    private static func named<Root>(long name: Substring, in parameters: [Parameter<Root>]) -> Parameter<Root>? {
        parameters.first { $0.isNamed && $0.long.map { $0[...] == name } == true }
    }

    private static func named<Root>(short letter: Character, in parameters: [Parameter<Root>]) -> Parameter<Root>? {
        parameters.first { $0.isNamed && $0.short == letter }
    }

    /// Whether `word` is `--help`, `-h`, or one of the command's own option or flag names.
    private static func isOptionName<Root>(_ word: String, in parameters: [Parameter<Root>]) -> Bool {
        if word == "--help" || word == "-h" { return true }
        if word.hasPrefix("--") { return named(long: word.dropFirst(2).prefix { $0 != "=" }, in: parameters) != nil }
        guard word.hasPrefix("-"), let letter = word.dropFirst().first else { return false }
        return named(short: letter, in: parameters) != nil
    }

    private static func invalidValue<Root>(_ text: String, for parameter: Parameter<Root>) -> UsageError {
        let choices = parameter.allowedValues.map { ": give " + listed($0, or: true) } ?? ""
        return UsageError("The value '\(text)' is invalid for '\(parameter.synopsis)'\(choices)")
    }

    private static func unknownOption<Root>(_ name: some StringProtocol, parameters: [Parameter<Root>]) -> UsageError {
        let longs = parameters.compactMap { $0.isNamed ? $0.long.map { "--" + $0 } : nil } + ["--help"]
        let suggestion = name.hasPrefix("--") ? nearest(String(name), among: longs) : nil
        return UsageError("Unknown option '\(name)'" + (suggestion.map { ". Did you mean '\($0)'?" } ?? ""))
    }
}

/// The candidate within a few edits of `word` (a third of its letters, one to three), the closest
/// first. Candidates longer or shorter by more than that are passed over unmeasured, so a word of
/// a megabyte costs nothing.
func nearest(_ word: String, among candidates: [String]) -> String? {
    let allowed = min(3, max(1, word.count / 3))
    return candidates.filter { abs($0.count - word.count) <= allowed }
        .map { ($0, editDistance(word, $0)) }.filter { $0.1 <= allowed }.min { $0.1 < $1.1 }?.0
}

/// Levenshtein distance: letters inserted, deleted or replaced to turn `a` into `b`.
func editDistance(_ a: String, _ b: String) -> Int {
    let b = Array(b)
    // previous[j]: the distance from the letters of `a` seen so far to the first j letters of `b`.
    var previous = Array(0...b.count)
    for (i, letter) in a.enumerated() {
        var current = [i + 1]
        for j in b.indices {
            current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (letter == b[j] ? 0 : 1)))
        }
        previous = current
    }
    return previous[b.count]
}

/// `a`, `a or b`, `a, b or c` (`and` unless `or`).
func listed(_ items: [String], or: Bool) -> String {
    guard let last = items.last else { return "" }
    let rest = items.dropLast()
    return rest.isEmpty ? last : rest.joined(separator: ", ") + (or ? " or " : " and ") + last
}
