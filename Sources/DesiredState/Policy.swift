import Foundation
import Yams

/// The rules of `policy.yaml`, which every proposal must pass. Read from the tracked branch's
/// head, never from the proposal under review, so a proposal cannot loosen its own rules.
public struct Policy: Sendable {
    public static let file = "policy.yaml"

    public struct Rule: Sendable {
        public enum Check: Sendable {
            /// A resource whose field matches is denied.
            case denyRegex(field: String, pattern: String)
            case denyGlob(field: String, pattern: String)
            /// The plan may delete (or change) at most this many resources.
            case maxDeletes(Int)
            case maxChanges(Int)
            /// Every resource that `when` holds for must satisfy `require` as well: "each `*.key`
            /// is sensitive", which one field alone cannot say.
            case require(when: Condition, then: Condition)
            /// A File whose content matches is denied: over the content every non-sensitive File
            /// declares, templates rendered, up to `contentLimit` bytes.
            case denyContentRegex(String)
        }

        /// A test of one field: `{field: spec.path, glob: "*.key"}`, `regex:`, or `equals:`.
        public struct Condition: Sendable, CustomStringConvertible {
            public enum Test: Sendable {
                case glob(String), regex(String), equals(String)
            }

            public let field: String
            public let test: Test

            /// Whether the resource's field passes; a field it does not have never does.
            func holds(for resource: DesiredResource) -> Bool {
                guard let value = Policy.fields[field]?(resource) else { return false }
                switch test {
                case .glob(let pattern): return fnmatch(pattern, value, 0) == 0
                case .regex(let pattern): return (try? Regex(pattern)).map { value.contains($0) } ?? false
                case .equals(let expected): return value == expected
                }
            }

            public var description: String {
                switch test {
                case .glob(let pattern): return "\(field) matching \(pattern)"
                case .regex(let pattern): return "\(field) matching /\(pattern)/"
                case .equals(let value): return "\(field) \(value)"
                }
            }
        }

        public let name: String
        /// Only resources of these kinds; nil for all.
        public let kinds: Set<String>?
        public let check: Check
        public let message: String?
    }

    public let rules: [Rule]
    /// `checks:`: commands a proposal's merged tree must pass (exit 0), such as `nginx -t`.
    public let checks: [PolicyCheck]

    public init(rules: [Rule] = [], checks: [PolicyCheck] = []) {
        self.rules = rules
        self.checks = checks
    }

    /// Whether it holds nothing to judge by: no rule and no check.
    public var isEmpty: Bool { rules.isEmpty && checks.isEmpty }

    /// The fields a rule can look at, and how each reads from a resource (nil: not present).
    static let fields: [String: @Sendable (DesiredResource) -> String?] = [
        "kind": { $0.id.kind },
        "name": { $0.id.name },
        "spec.path": { $0.kind.isInTarget ? $0.path : nil },
        "spec.mode": { resource in
            switch resource.shape {
            case .file(_, _, let mode): return String(format: "%04o", mode)
            case .directory(let spec): return spec.mode.map { String(format: "%04o", $0) }
            default: return nil
            }
        },
        "spec.target": { if case .symlink(let target) = $0.shape { return target } else { return nil } },
        "spec.content": { if case .file(_, let inline?, _) = $0.shape { return String(decoding: inline, as: UTF8.self) } else { return nil } },
        "spec.sensitive": { $0.sensitive ? "true" : "false" },
        "spec.prune": { if case .directory(let spec) = $0.shape { return spec.prune ? "true" : "false" } else { return nil } },
        "spec.purge": { if case .directory(let spec) = $0.shape { return spec.purge ? "true" : "false" } else { return nil } },
        "spec.owner": { $0.ownership.user?.description },
        "spec.group": { $0.ownership.group?.description },
        // The command as one line of words, so a rule can refuse a program: deny-regex: "^curl ".
        "spec.validate": { $0.validate?.joined(separator: " ") },
        "spec.run": { if case .command(let spec) = $0.shape { return spec.run.joined(separator: " ") } else { return nil } },
        "spec.unit": { if case .service(let spec) = $0.shape { return spec.unit } else { return nil } },
        "spec.health.command": { resource in
            guard case .service(let spec) = resource.shape, case .command(let argv)? = spec.probe?.check else { return nil }
            return argv.joined(separator: " ")
        },
    ]

    static let ruleFields: Set<String> = ["name", "kinds", "field", "deny-regex", "deny-glob", "message", "max-deletes", "max-changes", "when", "require",
                                          "deny-content-regex"]

    /// The most bytes of one file a content rule reads; a larger file is a violation of it, as
    /// the rule cannot vouch for what it did not read.
    public static let contentLimit = 1 << 20

    /// Whether a rule reads content, which the judge then has to read from the revision.
    public var readsContent: Bool { rules.contains { if case .denyContentRegex = $0.check { return true } else { return false } } }

    /// Reads `policy.yaml`; every complaint carries its line and column. A policy with any
    /// complaint is not used: proposals fail with the complaints instead of passing unchecked.
    public static func parse(_ bytes: [UInt8], file: String) -> (Policy, [Diagnostic]) {
        var reader = DocumentReader(file: file)
        var rules: [Rule] = [], checks: [PolicyCheck] = []
        switch YAMLReader.document(bytes, file: file) {
        case .failure(let problem): return (Policy(), [problem])
        case .success(nil): return (Policy(), [])
        case .success(let node?):
            guard let top = reader.fields(node, allowed: ["rules", "checks"], what: "policy.yaml") else { return (Policy(), reader.diagnostics) }
            rules = readNamed(top["rules"]?.value, "rules", reader: &reader, readRule, name: \.name)
            checks = readNamed(top["checks"]?.value, "checks", reader: &reader, readCheck, name: \.name)
        }
        return (Policy(rules: rules, checks: checks), reader.diagnostics)
    }

    /// The items of the list `field` (`rules`, `checks`), each read by `read`; a name given twice
    /// is a complaint at the second.
    private static func readNamed<Item>(_ list: Node?, _ field: String, reader: inout DocumentReader,
                                        _ read: (Node, inout DocumentReader) -> Item?, name: (Item) -> String) -> [Item] {
        guard let list else { return [] }
        var names: Set<String> = [], items: [Item] = []
        for node in reader.list(list, of: field) {
            guard let item = read(node, &reader) else { continue }
            if !names.insert(name(item)).inserted { reader.complain(node, "two \(field) are named \(name(item).escapingControlCharacters)") }
            items.append(item)
        }
        return items
    }

    /// `{name, run: [program, args...], timeout}`: `run` must name the tree it checks, `{tree}`.
    private static func readCheck(_ node: Node, reader: inout DocumentReader) -> PolicyCheck? {
        let before = reader.diagnostics.count
        guard let fields = reader.fields(node, allowed: ["name", "run", "timeout"], what: "a check") else { return nil }
        guard let (_, nameNode) = fields["name"], let name = reader.string(nameNode, field: "name") else {
            reader.complain(node, "a check needs a `name`")
            return nil
        }
        guard let (_, runNode) = fields["run"] else {
            reader.complain(node, "check \(name.escapingControlCharacters) needs `run`, the command as a list, such as [\"nginx\", \"-t\", \"-c\", \"{tree}/files/nginx.conf\"]")
            return nil
        }
        guard let run = reader.argv(runNode, field: "run") else { return nil }
        if !run.contains(where: { $0.contains(PolicyCheck.treeMark) }) {
            reader.complain(runNode, "check \(name.escapingControlCharacters) must name the tree it checks with {tree}, such as \"{tree}/files/nginx.conf\"")
        }
        var timeout = PolicyCheck.defaultTimeout
        if let (_, value) = fields["timeout"], let read = reader.duration(value, field: "timeout") {
            if read > PolicyCheck.longestTimeout { reader.complain(value, "a check may run at most \(PolicyCheck.longestTimeout.words)") }
            timeout = read
        }
        return reader.diagnostics.count == before ? PolicyCheck(name: name, run: run, timeout: timeout) : nil
    }

    private static func readRule(_ node: Node, reader: inout DocumentReader) -> Rule? {
        let before = reader.diagnostics.count
        guard let fields = reader.fields(node, allowed: ruleFields, what: "a rule") else { return nil }
        guard let (_, nameNode) = fields["name"] else {
            reader.complain(node, "a rule needs a `name`")
            return nil
        }
        let name = reader.string(nameNode, field: "name") ?? ""
        var kinds: Set<String>?
        if let (_, value) = fields["kinds"] {
            if case .sequence(let list) = value {
                kinds = Set(list.compactMap { item -> String? in
                    guard let kind = reader.string(item, field: "kinds") else { return nil }
                    if ResourceKind(rawValue: kind) == nil {
                        reader.complain(item, "unknown kind \(kind.escapingControlCharacters) (expected \(ResourceKind.allNames))")
                    }
                    return kind
                })
            } else {
                reader.complain(value, "`kinds` must be a list, such as [File, Directory]")
            }
        }
        let checks = ["deny-regex", "deny-glob", "deny-content-regex", "max-deletes", "max-changes", "when"].filter { fields[$0] != nil }
        guard checks.count == 1 else {
            reader.complain(node, checks.isEmpty
                ? "rule \(name.escapingControlCharacters) needs one of deny-regex, deny-glob, deny-content-regex, max-deletes, max-changes or a when/require pair"
                : "rule \(name.escapingControlCharacters) has \(checks.joined(separator: " and ")): give one per rule")
            return nil
        }
        if checks[0] != "when", let (key, _) = fields["require"] {
            reader.complain(key, "`require` goes with `when`: when: {field: spec.path, glob: \"*.key\"}")
            return nil
        }
        let kind = checks[0], (_, value) = fields[kind]!
        var check: Rule.Check?
        switch kind {
        case "deny-content-regex":
            if fields["field"] != nil { reader.complain(fields["field"]!.key, "deny-content-regex reads the content: it takes no `field`") }
            guard let pattern = reader.string(value, field: kind) else { return nil }
            do { _ = try Regex(pattern) } catch {
                reader.complain(value, "bad regular expression \(pattern.escapingControlCharacters): \(error)")
            }
            check = .denyContentRegex(pattern)
        case "when":
            if fields["field"] != nil { reader.complain(fields["field"]!.key, "`field` goes inside `when` and `require`, such as when: {field: spec.path, glob: \"*.key\"}") }
            guard let (_, requireNode) = fields["require"] else {
                reader.complain(node, "rule \(name.escapingControlCharacters) has `when` without `require`: say what must hold, such as require: {field: spec.sensitive, equals: true}")
                return nil
            }
            guard let when = readCondition(value, reader: &reader), let then = readCondition(requireNode, reader: &reader) else { return nil }
            check = .require(when: when, then: then)
        case "max-deletes", "max-changes":
            if fields["field"] != nil { reader.complain(fields["field"]!.key, "`field` goes with deny-regex or deny-glob, not \(kind)") }
            guard let text = reader.string(value, field: kind), let limit = Int(text), limit >= 0 else {
                reader.complain(value, "`\(kind)` must be a whole number, 0 or more")
                return nil
            }
            check = kind == "max-deletes" ? .maxDeletes(limit) : .maxChanges(limit)
        default:
            guard let (_, fieldNode) = fields["field"] else {
                reader.complain(node, "rule \(name.escapingControlCharacters) needs a `field` for \(kind), such as spec.path")
                return nil
            }
            guard let field = reader.string(fieldNode, field: "field"), let pattern = reader.string(value, field: kind) else { return nil }
            if Self.fields[field] == nil {
                reader.complain(fieldNode, "unknown field \(field.escapingControlCharacters) (expected \(Self.fields.keys.sorted().joined(separator: ", ")))")
            }
            if kind == "deny-regex" {
                do { _ = try Regex(pattern) } catch {
                    reader.complain(value, "bad regular expression \(pattern.escapingControlCharacters): \(error)")
                }
                check = .denyRegex(field: field, pattern: pattern)
            } else {
                check = .denyGlob(field: field, pattern: pattern)
            }
        }
        var message: String?
        if let (_, value) = fields["message"] { message = reader.string(value, field: "message") }
        guard let check, reader.diagnostics.count == before else { return nil }
        return Rule(name: name, kinds: kinds, check: check, message: message)
    }

    /// `{field: F, glob: P}`, `{field: F, regex: R}` or `{field: F, equals: V}`.
    private static func readCondition(_ node: Node, reader: inout DocumentReader) -> Rule.Condition? {
        let before = reader.diagnostics.count
        guard let fields = reader.fields(node, allowed: ["field", "glob", "regex", "equals"], what: "a condition") else { return nil }
        guard let (fieldKey, fieldNode) = fields["field"], let field = reader.string(fieldNode, field: "field") else {
            reader.complain(node, "a condition needs a `field`, such as {field: spec.path, glob: \"*.key\"}")
            return nil
        }
        if Self.fields[field] == nil {
            reader.complain(fieldNode, "unknown field \(field.escapingControlCharacters) (expected \(Self.fields.keys.sorted().joined(separator: ", ")))")
        }
        let tests = ["glob", "regex", "equals"].filter { fields[$0] != nil }
        guard tests.count == 1, let (_, valueNode) = fields[tests[0]], let value = reader.string(valueNode, field: tests[0]) else {
            reader.complain(tests.count > 1 ? fieldKey : node, "a condition takes one of glob, regex or equals")
            return nil
        }
        let test: Rule.Condition.Test
        switch tests[0] {
        case "glob": test = .glob(value)
        case "regex":
            do { _ = try Regex(value) } catch { reader.complain(valueNode, "bad regular expression \(value.escapingControlCharacters): \(error)") }
            test = .regex(value)
        default: test = .equals(value)
        }
        return reader.diagnostics.count == before ? Rule.Condition(field: field, test: test) : nil
    }
}

/// A command of `checks:` that a proposal's merged tree must pass: run with `{tree}` replaced by
/// a checkout of that tree, no stdin, and a timeout.
public struct PolicyCheck: Sendable, Hashable {
    public static let treeMark = "{tree}"
    public static let defaultTimeout: Duration = .seconds(60)
    public static let longestTimeout: Duration = .seconds(3600)

    public let name: String
    public let run: [String]
    public let timeout: Duration

    /// The argv with every `{tree}` replaced by `tree`, a folder's absolute path.
    public func arguments(tree: String) -> [String] {
        run.map { $0.replacingOccurrences(of: Self.treeMark, with: tree) }
    }
}

/// One rule broken by a desired state or the plan it implies.
public struct Violation: Sendable, Hashable, CustomStringConvertible {
    public let rule: String
    /// The resource at fault; nil for a rule over the whole plan.
    public let resource: ResourceID?
    public let message: String

    public init(rule: String, resource: ResourceID?, message: String) {
        self.rule = rule
        self.resource = resource
        self.message = message
    }

    public var description: String {
        ([rule] + (resource.map { [$0.description] } ?? []) + [message]).map(\.escapingControlCharacters).joined(separator: ": ")
    }
}

extension Policy {
    /// The rules that `desired` (the state after a merge) and `changes` (the plan it implies)
    /// break, resource by resource.
    public func violations(of desired: DesiredState, changes: [ResourceChange]) -> [Violation] {
        var found: [Violation] = []
        for rule in rules {
            switch rule.check {
            case .maxDeletes(let limit):
                let deletes = changes.filter { $0.change == .delete }.count
                if deletes > limit {
                    found.append(Violation(rule: rule.name, resource: nil, message: rule.message ?? "deletes \(deletes) resources, more than the \(limit) allowed"))
                }
            case .maxChanges(let limit):
                if changes.count > limit {
                    found.append(Violation(rule: rule.name, resource: nil, message: rule.message ?? "changes \(changes.count) resources, more than the \(limit) allowed"))
                }
            case .require(let when, let then):
                for resource in desired.resources where (rule.kinds?.contains(resource.id.kind) ?? true) && when.holds(for: resource) && !then.holds(for: resource) {
                    // A value is shown as the other rules show theirs, content never.
                    let shown = when.field == "spec.content" ? "" : " (\(when.field) \(Self.fields[when.field]?(resource) ?? ""))"
                    found.append(Violation(rule: rule.name, resource: resource.id, message: (rule.message ?? "requires \(then)") + shown))
                }
            case .denyContentRegex:
                // Judged by `contentViolations`, with the content read.
                continue
            case .denyRegex(let field, let pattern), .denyGlob(let field, let pattern):
                guard let read = Self.fields[field] else { continue }
                let matches: (String) -> Bool
                if case .denyRegex = rule.check, let regex = try? Regex(pattern) {
                    matches = { $0.contains(regex) }
                } else {
                    matches = { fnmatch(pattern, $0, 0) == 0 }
                }
                for resource in desired.resources where rule.kinds?.contains(resource.id.kind) ?? true {
                    guard let value = read(resource), matches(value) else { continue }
                    // Content is never quoted: it may be secret.
                    let shown = field == "spec.content" ? "" : " (\(field) \(value))"
                    found.append(Violation(rule: rule.name, resource: resource.id, message: (rule.message ?? "denied") + shown))
                }
            }
        }
        return found
    }

    /// The content rules that `desired`'s non-sensitive Files break, given their content by blob
    /// id (`contents`, templates already rendered). Content is never quoted in a violation.
    public func contentViolations(of desired: DesiredState, contents: [String: [UInt8]]) -> [Violation] {
        var found: [Violation] = []
        for rule in rules {
            guard case .denyContentRegex(let pattern) = rule.check, let regex = try? Regex(pattern) else { continue }
            for resource in desired.resources where !resource.sensitive && (rule.kinds?.contains(resource.id.kind) ?? true) {
                guard case .file(let blob, _, _) = resource.shape, let bytes = contents[blob] else { continue }
                if bytes.count > Self.contentLimit {
                    found.append(Violation(rule: rule.name, resource: resource.id,
                                           message: "\(bytes.count) bytes, over the \(Self.contentLimit) a content rule reads: it cannot vouch for this file"))
                } else if String(decoding: bytes, as: UTF8.self).contains(regex) {
                    found.append(Violation(rule: rule.name, resource: resource.id, message: (rule.message ?? "denied") + " (its content matches)"))
                }
            }
        }
        return found
    }
}
