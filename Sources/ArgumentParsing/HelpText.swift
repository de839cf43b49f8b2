/// Help as swift-argument-parser laid it out, which plumb's users already read: OVERVIEW, USAGE,
/// ARGUMENTS, OPTIONS, lines under 80 columns, each parameter's text in a column of its own.
enum HelpText {
    /// Lines are at most `width - 1` characters, so a terminal of 80 never wraps them.
    static let width = 80
    /// Where a parameter's text starts.
    static let column = 26

    static func command<Root: Command>(_ type: Root.Type, program: String) -> String {
        let summary = Root.summary, parameters = Root.parameters
        let defaults = Root()
        var lines = wrapped("OVERVIEW: " + summary.abstract, indent: 0) + [""]
        if !summary.discussion.isEmpty { lines += wrapped(summary.discussion, indent: 0) + [""] }
        lines += ["USAGE: " + usage(program + " " + summary.name, parameters), ""]
        let arguments = parameters.filter { !$0.isNamed }
        if !arguments.isEmpty {
            lines += ["ARGUMENTS:"] + arguments.flatMap { row("<\($0.valueName)>", text(of: $0, defaults: defaults)) } + [""]
        }
        lines += ["OPTIONS:"] + parameters.filter(\.isNamed).flatMap { row(label(of: $0), text(of: $0, defaults: defaults)) }
        lines += row("-h, --help", "Show help information.") + [""]
        return lines.joined(separator: "\n") + "\n"
    }

    static func program(_ program: Program) -> String {
        var lines = wrapped("OVERVIEW: " + program.abstract, indent: 0) + [""]
        if !program.discussion.isEmpty { lines += wrapped(program.discussion, indent: 0) + [""] }
        lines += ["USAGE: \(program.name) <subcommand>", "", "OPTIONS:"]
        lines += row("--version", "Show the version.") + row("-h, --help", "Show help information.") + ["", "SUBCOMMANDS:"]
        for command in program.commands {
            let isDefault = ObjectIdentifier(command) == ObjectIdentifier(program.defaultCommand)
            lines += row(command.summary.name + (isDefault ? " (default)" : ""), command.summary.abstract)
        }
        lines += ["", "  See '\(program.name) help <subcommand>' for detailed help."]
        return lines.joined(separator: "\n") + "\n"
    }

    /// `plumb demo [--dir <dir>] [--no-ui]`, or `plumb events [<options>]` when every option will not fit.
    static func usage<Root>(_ start: String, _ parameters: [Parameter<Root>]) -> String {
        let arguments = parameters.compactMap { parameter -> String? in
            guard case .argument(let arity) = parameter.kind else { return nil }
            switch arity {
            case .one: return "<\(parameter.valueName)>"
            case .optional: return "[<\(parameter.valueName)>]"
            case .repeating: return "[<\(parameter.valueName)> ...]"
            }
        }
        let options = parameters.filter(\.isNamed).map { "[\($0.synopsis)]" }
        let full = ([start] + options + arguments).joined(separator: " ")
        if "USAGE: ".count + full.count < width { return full }
        return ([start, "[<options>]"] + arguments).joined(separator: " ")
    }

    /// `-f, --follow`, `-n <N>`, `--repo <url|path>`.
    static func label<Root>(of parameter: Parameter<Root>) -> String {
        let names = [parameter.short.map { "-\($0)" }, parameter.long.map { "--" + $0 }].compactMap { $0 }.joined(separator: ", ")
        return parameter.kind == .option ? names + " <\(parameter.valueName)>" : names
    }

    /// The parameter's help, then its default and its values when help can say them.
    static func text<Root>(of parameter: Parameter<Root>, defaults: Root) -> String {
        var text = parameter.help
        if let value = parameter.defaultText(defaults), !value.isEmpty { text += " (default: \(value))" }
        if let values = parameter.allowedValues { text += " (values: \(values.joined(separator: ", ")))" }
        return text
    }

    /// A label and its text: side by side when the label leaves room, else the text on the lines below.
    static func row(_ label: String, _ text: String) -> [String] {
        let body = wrapped(text, indent: column)
        let start = "  " + label
        guard start.count + 2 <= column, let first = body.first else { return [start] + body }
        return [start + String(repeating: " ", count: column - start.count) + first.dropFirst(column)] + body.dropFirst()
    }

    /// `text` in lines under `width`, each starting with `indent` spaces; its own line breaks kept.
    static func wrapped(_ text: String, indent: Int) -> [String] {
        let margin = String(repeating: " ", count: indent)
        return text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { paragraph -> [String] in
            var lines: [String] = []
            var line = ""
            for word in paragraph.split(separator: " ") {
                if !line.isEmpty, margin.count + line.count + 1 + word.count >= width {
                    lines.append(margin + line)
                    line = ""
                }
                line += (line.isEmpty ? "" : " ") + word
            }
            return lines + [line.isEmpty ? "" : margin + line]
        }
    }
}
