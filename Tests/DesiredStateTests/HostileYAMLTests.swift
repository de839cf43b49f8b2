import Testing
import DesiredState

/// YAML built to hurt (the hardening issue, items 6, 7 and 14): bounded before it is composed,
/// refused at its `file:line:column`, and never quoted back.
@Suite struct HostileYAMLTests {
    /// `? *a8` with nine levels of nine aliases: 700 bytes that stand for 9^9 nodes. As a mapping
    /// key, Yams hashed it whole (51 s here); it must be refused before that.
    static func aliasBomb(asKey: Bool) -> String {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for level in 1...8 {
            let refs = Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ")
            lines.append("a\(level): &a\(level) [\(refs)]")
        }
        lines.append(asKey ? "? *a8\n: boom" : "boom: *a8")
        return lines.joined(separator: "\n") + "\n"
    }

    @Test(arguments: [true, false])
    func anAliasBombIsRefusedWhereItExpands(asKey: Bool) {
        let parsed = ManifestParser.parse(Array(Self.aliasBomb(asKey: asKey).utf8), file: "resources/bomb.yaml")
        #expect(parsed.documents.isEmpty)
        let message = parsed.diagnostics.first?.description ?? ""
        #expect(message.hasPrefix("resources/bomb.yaml:"), "\(message)")
        #expect(message.contains("expands to more than 1000000 nodes"), "\(message)")
    }

    @Test func anAliasBombInPolicyIsRefusedToo() {
        let (policy, problems) = Policy.parse(Array(Self.aliasBomb(asKey: true).utf8), file: "policy.yaml")
        #expect(policy.rules.isEmpty)
        #expect(problems.first?.description.contains("policy.yaml:") == true)
        #expect(problems.first?.message.contains("expands to more than") == true)
    }

    @Test func aFewAliasesAreFine() {
        let parsed = ManifestParser.parse(Array("""
            kind: File
            name: &n motd
            spec:
              path: etc/motd
              content: *n
            """.utf8), file: "resources/x.yaml")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.documents.first?.content == "motd")
    }

    @Test func deepNestingIsRefused() {
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        let parsed = ManifestParser.parse(Array(deep.utf8), file: "resources/deep.yaml")
        #expect(parsed.diagnostics.first?.description == "resources/deep.yaml:1:65: YAML nests deeper than 64 levels")
    }

    @Test func aHugeFileIsRefusedBeforeItIsRead() {
        let huge = [UInt8](repeating: UInt8(ascii: "#"), count: YAMLReader.maxBytes + 1)
        let parsed = ManifestParser.parse(huge, file: "resources/huge.yaml")
        #expect(parsed.diagnostics.first?.message.contains("at most 4 MiB") == true)
    }

    @Test func aByteOrderMarkBeforeAValidManifestIsAccepted() {
        let parsed = ManifestParser.parse([0xEF, 0xBB, 0xBF] + Array("""
            kind: File
            name: motd
            spec:
              path: etc/motd
              content: hi
            """.utf8), file: "resources/x.yaml")
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        #expect(parsed.documents.count == 1)
    }

    /// A reader error (a control character in the text) is placed where it is, and quotes
    /// nothing of a line that may hold a secret.
    @Test func aReaderErrorIsPlacedAndQuotesNothing() {
        let parsed = ManifestParser.parse(Array("""
            kind: File
            name: db
            spec:
              path: etc/db.key
              content: "hunter2\u{01}secret"
              sensitive: true
            """.utf8), file: "resources/x.yaml")
        let message = parsed.diagnostics.first?.description ?? ""
        #expect(message.hasPrefix("resources/x.yaml:5:20: YAML syntax error: control characters are not allowed"), "\(message)")
        #expect(!message.contains("hunter2"))
        #expect(!message.contains("secret"))
    }

    @Test func aKeyThatIsNotTextIsNamedSo() {
        let parsed = ManifestParser.parse(Array("""
            kind: File
            name: x
            ? [a, b]
            : c
            spec: {path: x, content: y}
            """.utf8), file: "resources/x.yaml")
        #expect(parsed.diagnostics.map(\.description) == ["resources/x.yaml:3:3: a field name must be plain text, not a list (in a manifest document)"])
    }

    @Test func anEmptyFieldNameIsNamedSo() {
        let parsed = ManifestParser.parse(Array("""
            kind: File
            name: x
            "": c
            spec: {path: x, content: y}
            """.utf8), file: "resources/x.yaml")
        #expect(parsed.diagnostics.first?.message.hasPrefix("a field name is empty in a manifest document") == true, "\(parsed.diagnostics)")
    }

    @Test func twoKeysThatAreNotTextAreADuplicateNamedSo() {
        let parsed = ManifestParser.parse(Array("? [a]\n: 1\n? [a]\n: 2\n".utf8), file: "resources/x.yaml")
        #expect(parsed.diagnostics.first?.message == "YAML syntax error: duplicate key (a key that is not text)", "\(parsed.diagnostics)")
    }

    /// Item 11: a manifest's own file name may hold what drives a terminal: its location is escaped.
    @Test func aFileNameWithAnEscapeIsEscapedInTheLocation() {
        let parsed = ManifestParser.parse(Array("kind: Nope\n".utf8), file: "resources/x\u{1B}]0;pwned\u{07}.yaml")
        let message = parsed.diagnostics.first?.description ?? ""
        #expect(message.hasPrefix("resources/x\\e]0;pwned\\x07.yaml:1:1: "), "\(message)")
        #expect(!message.unicodeScalars.contains { $0.value < 0x20 })
    }
}
