// CYaml is Yams' copy of libyaml. Yams exposes no event API, and its bounds must be checked on
// events, before Yams composes a tree: importing the module Yams is built on gives them.
import CYaml
import Yams

/// The one way plumb reads YAML from outside (manifests, `policy.yaml`, `plumb.yaml`, themes):
/// UTF-8 checked, a byte order mark skipped, the work a text may ask for bounded before anything
/// is composed, and every complaint placed at its `file:line:column` without quoting the text,
/// which may be a secret.
public enum YAMLReader {
    /// Bounds on what one file may ask for. An alias repeats what its anchor holds, so a few
    /// hundred bytes of nested aliases can stand for billions of nodes (a "billion laughs");
    /// Yams hashes a mapping's keys whole, so such a key took minutes.
    public static let maxBytes = 4 << 20
    public static let maxDepth = 64
    public static let maxNodes = 1_000_000

    /// Every document of the file, in order, and the complaint that stopped reading it, if any:
    /// the documents before a syntax error are still read.
    public static func documents(_ bytes: [UInt8], file: String) -> (documents: [Node], problem: Diagnostic?) {
        let text: String
        switch prepare(bytes, file: file) {
        case .success(let checked): text = checked
        case .failure(let problem): return ([], problem)
        }
        var documents: [Node] = []
        do {
            // Yams ends the sequence at a syntax error and keeps the error aside: ask for it.
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() { documents.append(node) }
            if let error = sequence.error { throw error }
        } catch {
            return (documents, diagnostic(error, in: text, file: file))
        }
        return (documents, nil)
    }

    /// The only document of the file (nil for an empty file), or why it cannot be read.
    public static func document(_ bytes: [UInt8], file: String) -> Result<Node?, Diagnostic> {
        switch prepare(bytes, file: file) {
        case .failure(let problem): return .failure(problem)
        case .success(let text):
            do { return .success(try Yams.compose(yaml: text)) } catch { return .failure(diagnostic(error, in: text, file: file)) }
        }
    }

    /// The text, once it is known to be UTF-8 and within bounds.
    private static func prepare(_ bytes: [UInt8], file: String) -> Result<String, Diagnostic> {
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard bytes.count <= maxBytes else {
            return .failure(Diagnostic(start, "file is \(bytes.count) bytes; plumb reads YAML files of at most \(maxBytes >> 20) MiB"))
        }
        let body = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
        guard let text = String(validating: body, as: UTF8.self) else {
            return .failure(Diagnostic(start, "file is not valid UTF-8"))
        }
        if let problem = boundsProblem(body, file: file) { return .failure(problem) }
        return .success(text)
    }

    /// Walks libyaml's events counting what composing would build, aliases expanded: the first
    /// place that goes past a bound, or nil. A syntax error is left for Yams to report.
    static func boundsProblem(_ bytes: [UInt8], file: String) -> Diagnostic? {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return Diagnostic(SourceLocation(file: file, line: 1, column: 1), "cannot start reading YAML") }
        defer { yaml_parser_delete(&parser) }
        return bytes.withUnsafeBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            // Nodes each open collection holds so far, with its anchor; nodes each anchor stands for.
            var open: [(anchor: String?, nodes: Int)] = []
            var anchored: [String: Int] = [:]
            var total = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let at = SourceLocation(file: file, line: Int(event.start_mark.line) + 1, column: Int(event.start_mark.column) + 1)
                var finished: Int?
                var anchor: UnsafeMutablePointer<yaml_char_t>?
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_DOCUMENT_START_EVENT:
                    anchored = [:]
                case YAML_SCALAR_EVENT:
                    finished = 1
                    anchor = event.data.scalar.anchor
                case YAML_ALIAS_EVENT:
                    finished = event.data.alias.anchor.flatMap { anchored[String(cString: $0)] } ?? 1
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    let name = event.type == YAML_SEQUENCE_START_EVENT ? event.data.sequence_start.anchor : event.data.mapping_start.anchor
                    open.append((name.map { String(cString: $0) }, 1))
                    if open.count > maxDepth { return Diagnostic(at, "YAML nests deeper than \(maxDepth) levels") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    if let closed = open.popLast() {
                        if let name = closed.anchor { anchored[name] = closed.nodes }
                        finished = closed.nodes
                    }
                default:
                    break
                }
                guard let nodes = finished else { continue }
                if let anchor { anchored[String(cString: anchor)] = nodes }
                // A collection counts its nodes when it closes; only what stands at the top adds to the total.
                if open.isEmpty { total += nodes } else { open[open.count - 1].nodes += nodes }
                let pending = total + open.reduce(0) { $0 + $1.nodes }
                if pending > maxNodes {
                    return Diagnostic(at, "YAML expands to more than \(maxNodes) nodes (aliases repeat what their anchors hold); plumb refuses it")
                }
            }
            return nil
        }
    }

    /// A syntax error at its line and column, named without quoting the text.
    static func diagnostic(_ error: any Error, in text: String, file: String) -> Diagnostic {
        func at(_ line: Int, _ column: Int, _ message: String) -> Diagnostic {
            Diagnostic(SourceLocation(file: file, line: max(line, 1), column: max(column, 1)), "YAML syntax error: \(message)")
        }
        guard let error = error as? YamlError else { return at(1, 1, "\(error)") }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return at(mark.line, mark.column, (context.map { "\($0.text): " } ?? "") + problem)
        case let .reader(problem, offset, value, _):
            let (line, column) = position(ofByte: offset ?? 0, in: text)
            return at(line, column, problem + (value >= 0 ? String(format: " (#x%02X)", value) : ""))
        case let .duplicatedKeysInMapping(duplicates, context):
            let names = duplicates.map { $0 == "<uncovertable>" ? "(a key that is not text)" : $0 }
            return at(context.mark.line, context.mark.column, "duplicate key \(names.joined(separator: ", "))")
        case .memory:
            return at(1, 1, "out of memory")
        default:
            return at(1, 1, "cannot read it")
        }
    }

    /// The line and column (from 1) of a byte offset in UTF-8 text.
    static func position(ofByte offset: Int, in text: String) -> (Int, Int) {
        var line = 1, column = 1
        for byte in text.utf8.prefix(offset) {
            if byte == 10 { line += 1; column = 1 } else if byte & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}
