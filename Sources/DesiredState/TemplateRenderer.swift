import Foundation
import Mustache

/// Renders a File's content as a Mustache template (swift-mustache: logic-less, no code runs).
/// Values are inserted as they are (no HTML escaping: these are configuration files), and a
/// name the template uses that no value defines is an error at the template's line and column,
/// where Mustache itself would render nothing.
public enum TemplateRenderer {
    /// Makes the whole template plain text; one tag before the first line, so columns on the
    /// first line are shifted back by its length.
    private static let textPragma = "{{% CONTENT_TYPE: TEXT}}"

    /// The rendered text, or complaints placed at `file:line:column` (line and column of the
    /// template, offset by `origin` when it sits inside a manifest).
    public static func render(_ text: String, values: [String: TemplateValues.Value], file: String,
                              origin: (line: Int, column: Int) = (1, 1)) -> Rendering {
        func place(_ line: Int, _ column: Int) -> SourceLocation {
            SourceLocation(file: file, line: origin.line + line - 1, column: line == 1 ? origin.column + column - 1 : column)
        }
        guard text.utf8.count <= maxTemplateBytes else {
            return .problems([Diagnostic(place(1, 1), "the template is \(text.utf8.count) bytes; plumb renders templates of at most \(maxTemplateBytes) bytes")])
        }
        let tags = TemplateTags.scan(text)
        if let partial = tags.first(where: { $0.sigil == ">" || $0.sigil == "<" }) {
            return .problems([Diagnostic(place(partial.line, partial.column),
                                        "a template cannot include another ({{\(partial.sigil)\(partial.name.escapingControlCharacters)}}): plumb renders each File on its own")])
        }
        let template: MustacheTemplate
        do {
            template = try MustacheTemplate(string: textPragma + text)
        } catch let error as MustacheTemplate.ParserError {
            let line = error.context.lineNumber, column = error.context.columnNumber
            let shifted = line <= 1 ? max(1, column - textPragma.count) : column
            return .problems([Diagnostic(place(max(1, line), shifted), "bad template: \(words(error.error))")])
        } catch {
            return .problems([Diagnostic(place(1, 1), "bad template: \(error)")])
        }
        let misses = Misses(budget: maxOutputBytes / max(1, text.utf8.count))
        let rendered = template.render(Scope(values, key: nil, misses: misses))
        if misses.budget < 0 {
            return .problems([Diagnostic(place(1, 1), "the template renders too much (sections over long or nested lists): "
                                         + "more than \(maxOutputBytes >> 20) MiB could come out, so plumb stopped")])
        }
        let undefined = tags.filter { tag in
            let names = tag.name.split(separator: ".").map(String.init)
            guard tag.isLookup, let first = names.first else { return false }
            if misses.top.contains(first) { return true }
            return zip(names, names.dropFirst()).contains { misses.nested.contains(Misses.Pair(parent: $0, child: $1)) }
        }
        guard undefined.isEmpty else {
            var seen = Set<String>()
            return .problems(undefined.filter { seen.insert($0.name).inserted }.map {
                Diagnostic(place($0.line, $0.column), "{{\($0.name.escapingControlCharacters)}}: no value defines \($0.name.escapingControlCharacters) (in vars/, hosts/<host>.yaml or the facts host.* and plumb.revision)")
            })
        }
        return .text(rendered)
    }

    /// The rendered text, or what stops the template rendering.
    public enum Rendering: Sendable {
        case text(String)
        case problems([Diagnostic])
    }

    private static func words(_ error: any Error) -> String {
        switch error as? MustacheTemplate.Error {
        case .sectionCloseNameIncorrect?: return "a section is closed with another name than it was opened with"
        case .unfinishedName?: return "a tag is not finished (a }} is missing)"
        case .expectedSectionEnd?: return "a section is never closed ({{/name}} is missing)"
        case .invalidSetDelimiter?: return "a set-delimiter tag is malformed"
        case .unrecognisedConfigVariable?, .invalidConfigVariableSyntax?: return "a {{% ... }} pragma is not one Mustache knows"
        default: return "\(error)"
        }
    }

    /// Templates past this size are refused.
    static let maxTemplateBytes = 1 << 20
    /// What one rendering may produce at most. Each lookup and each repetition of a section
    /// renders at most the template's text, so a budget of this over the template's size in
    /// lookups and list items bounds it: nested sections over long lists cannot fill memory.
    static let maxOutputBytes = 256 << 20

    /// Names looked up and not found: at the top (no section or value had it), and inside a
    /// mapping (`host.fqdn2`: `host` has no `fqdn2`). Also what is left of the rendering's
    /// budget; once it is spent every lookup finds nothing, so the rendering ends quickly.
    final class Misses {
        struct Pair: Hashable { let parent: String; let child: String }
        var top = Set<String>()
        var nested = Set<Pair>()
        var budget: Int

        init(budget: Int) { self.budget = budget }
    }

    /// A mapping of values as Mustache looks names up in it, telling `Misses` what it lacked.
    final class Scope: MustacheParent {
        let values: [String: TemplateValues.Value]
        /// The name it is found under; nil for the top.
        let key: String?
        let misses: Misses

        init(_ values: [String: TemplateValues.Value], key: String?, misses: Misses) {
            self.values = values
            self.key = key
            self.misses = misses
        }

        func child(named name: String) -> Any? {
            misses.budget -= 1
            guard misses.budget >= 0 else { return nil }
            guard let value = values[name] else {
                if let key { misses.nested.insert(Misses.Pair(parent: key, child: name)) } else { misses.top.insert(name) }
                return nil
            }
            return wrap(value, key: name)
        }

        private func wrap(_ value: TemplateValues.Value, key: String) -> Any {
            switch value {
            case .text(let text): return text
            case .flag(let flag): return flag
            case .list(let items):
                misses.budget -= items.count
                return misses.budget < 0 ? [] : items.map { wrap($0, key: key) }
            case .map(let map): return Scope(map, key: key, misses: misses)
            }
        }
    }
}

/// The tags of a template with their places, as Mustache reads them (set-delimiter tags
/// included): what names it looks up, and whether it includes partials.
struct TemplateTags {
    struct Tag {
        /// `#`, `^`, `/`, `&`, `{`, `>`, `<`, `$`, `!`, `=`, `%`, or "" for a plain variable.
        let sigil: String
        let name: String
        let line: Int
        let column: Int

        /// A variable or a section: a name looked up in the values.
        var isLookup: Bool { ["", "#", "^", "&", "{"].contains(sigil) }
    }

    static func scan(_ text: String) -> [Tag] {
        var tags: [Tag] = []
        var open = Array("{{"), close = Array("}}")
        let chars = Array(text)
        var i = 0, line = 1, lineStart = 0
        func starts(_ token: [Character], at index: Int) -> Bool {
            index + token.count <= chars.count && chars[index..<(index + token.count)].elementsEqual(token)
        }
        while i < chars.count {
            if chars[i] == "\n" { line += 1; lineStart = i + 1; i += 1; continue }
            guard starts(open, at: i) else { i += 1; continue }
            let column = i - lineStart + 1, tagLine = line
            var j = i + open.count
            var sigil = ""
            if j < chars.count, "#^/&{>!<$=%".contains(chars[j]) { sigil = String(chars[j]); j += 1 }
            let end = sigil == "{" ? Array("}") + close : sigil == "=" ? Array("=") + close : close
            var k = j
            while k < chars.count && !starts(end, at: k) {
                if chars[k] == "\n" { line += 1; lineStart = k + 1 }
                k += 1
            }
            guard k < chars.count else { break }
            let inner = String(chars[j..<k]).trimmingCharacters(in: .whitespaces)
            if sigil == "=" {
                let parts = inner.split(separator: " ", omittingEmptySubsequences: true)
                if parts.count == 2 { open = Array(parts[0]); close = Array(parts[1]) }
            } else {
                tags.append(Tag(sigil: sigil, name: innermostName(inner), line: tagLine, column: column))
            }
            i = k + end.count
        }
        return tags
    }

    /// The name inside transforms: `uppercased(name)` looks up `name`.
    private static func innermostName(_ inner: String) -> String {
        guard let open = inner.lastIndex(of: "("), let close = inner.firstIndex(of: ")"), open < close else { return inner }
        return inner[inner.index(after: open)..<close].trimmingCharacters(in: .whitespaces)
    }
}
