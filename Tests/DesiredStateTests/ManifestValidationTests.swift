import Testing
import DesiredState

/// One manifest file checked on its own: every complaint carries the exact line and column a user
/// would jump to, and the message SPEC's `<file>:<line>:<column>: <message>` format prints.
@Suite struct ManifestValidationTests {
    static let file = "resources/x.yaml"

    func parse(_ yaml: String) -> ParsedManifest {
        ManifestParser.parse(Array(yaml.utf8), file: Self.file)
    }

    /// The printed complaints of a manifest, checking that no document came out of it.
    func complaints(_ yaml: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) -> [String] {
        let parsed = parse(yaml)
        #expect(parsed.documents.isEmpty, "an invalid document must not be returned", sourceLocation: sourceLocation)
        return parsed.diagnostics.map(\.description)
    }

    // MARK: YAML and document shape

    @Test func diagnosticCarriesFileLineColumnAndPrintsThem() throws {
        let parsed = parse("""
            kind: Servce
            name: web
            spec:
              path: srv/web
            """)
        let diagnostic = try #require(parsed.diagnostics.first)
        #expect(diagnostic.location.file == "resources/x.yaml")
        #expect(diagnostic.location.line == 1)
        #expect(diagnostic.location.column == 7)
        #expect(diagnostic.message == "unknown kind `Servce` (expected File, Directory, Symlink, Service or Command)")
        #expect(diagnostic.description == "resources/x.yaml:1:7: unknown kind `Servce` (expected File, Directory, Symlink, Service or Command)")
    }

    // Yams' compose_all ends its sequence at a syntax error and keeps the error aside: it must be reported.
    @Test func yamlSyntaxErrorPointsAtTheOffendingCharacter() {
        // The second `:` on line 2 is column 8.
        #expect(complaints("""
            kind: File
            name: a: b
            spec:
              path: a
              content: x
            """) == ["resources/x.yaml:2:8: YAML syntax error: mapping values are not allowed in this context"])
    }

    @Test func tabIndentationIsASyntaxError() {
        #expect(complaints("kind: File\n\tname: a\n") == [
            "resources/x.yaml:2:1: YAML syntax error: while scanning a plain scalar: found a tab character that violates indentation",
        ])
    }

    @Test func repeatedFieldIsASyntaxErrorAtItsFirstOccurrence() {
        // Yams refuses a repeated key while composing, before the manifest reader sees the mapping.
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: a
              path: b
              content: x
            """) == ["resources/x.yaml:4:3: YAML syntax error: duplicate key path"])
    }

    @Test func syntaxErrorInALaterDocumentIsReported() {
        let parsed = parse("""
            kind: File
            name: first
            spec:
              path: etc/first
              content: "1"
            ---
            kind: File
            name: second: 2
            spec:
              path: etc/second
              content: "2"
            """)
        #expect(parsed.diagnostics.map(\.description) == [
            "resources/x.yaml:8:13: YAML syntax error: mapping values are not allowed in this context",
        ])
        // The valid first document is still read (the revision is refused for the error anyway).
        #expect(parsed.documents.map(\.id.description) == ["File/first"])
    }

    @Test func documentThatIsAListIsNotAMapping() {
        #expect(complaints("""
            - kind: File
            - name: a
            """) == ["resources/x.yaml:1:1: a manifest document must be a mapping of fields"])
    }

    @Test func documentThatIsAScalarIsNotAMapping() {
        #expect(complaints("""
            # a comment first
            just some text
            """) == ["resources/x.yaml:2:1: a manifest document must be a mapping of fields"])
    }

    @Test func specThatIsNotAMapping() {
        #expect(complaints("""
            kind: File
            name: a
            spec: etc/a
            """) == ["resources/x.yaml:3:7: the spec of a File must be a mapping of fields"])
    }

    // MARK: Fields

    @Test func unknownTopLevelField() {
        let parsed = parse("""
            kind: File
            name: a
            metadata: {}
            spec:
              path: a
              content: x
            """)
        #expect(parsed.diagnostics.map(\.description) == [
            "resources/x.yaml:3:1: unknown field `metadata` in a manifest document (expected dependsOn, hosts, kind, name, spec)",
        ])
    }

    @Test func unknownSpecField() {
        #expect(parse("""
            kind: File
            name: a
            spec:
              path: a
              content: x
              colour: red
            """).diagnostics.map(\.description) == ["resources/x.yaml:6:3: unknown field `colour` in the spec of a File (expected content, decrypt, group, mode, owner, path, sensitive, source, template, validate)"])
    }

    @Test func fieldOfAnotherKindIsUnknown() {
        // `prune` belongs to Directory, not to File.
        #expect(parse("""
            kind: File
            name: a
            spec:
              path: a
              content: x
              prune: true
            """).diagnostics.map(\.description) == ["resources/x.yaml:6:3: unknown field `prune` in the spec of a File (expected content, decrypt, group, mode, owner, path, sensitive, source, template, validate)"])
    }

    @Test func missingKindPointsAtTheDocument() {
        #expect(complaints("""
            # first document
            ---
            name: a
            spec:
              path: a
              content: x
            """) == ["resources/x.yaml:3:1: missing field `kind`"])
    }

    @Test func missingNamePointsAtTheDocument() {
        #expect(complaints("""
            # first document
            ---
            kind: File
            spec:
              path: a
              content: x
            """) == ["resources/x.yaml:3:1: missing field `name`"])
    }

    @Test func missingSpecPointsAtTheDocument() {
        #expect(complaints("""
            # first document
            ---
            kind: File
            name: a
            """) == ["resources/x.yaml:3:1: missing field `spec`"])
    }

    @Test func missingKindNameAndSpecAreAllReported() {
        #expect(complaints("""
            {}
            """) == [
                "resources/x.yaml:1:1: missing field `kind`",
                "resources/x.yaml:1:1: missing field `name`",
                "resources/x.yaml:1:1: missing field `spec`",
            ])
    }

    @Test func missingSpecPathPointsAtTheSpec() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              content: x
            """) == ["resources/x.yaml:4:3: missing field `spec.path`"])
    }

    @Test func unknownKindPointsAtTheKindValue() {
        #expect(complaints("""
            kind: Package
            name: web
            spec:
              path: srv/web
            """) == ["resources/x.yaml:1:7: unknown kind `Package` (expected File, Directory, Symlink, Service or Command)"])
    }

    @Test func emptyNameIsRefused() {
        #expect(complaints("""
            kind: File
            name: ""
            spec:
              path: a
              content: x
            """) == ["resources/x.yaml:2:7: `name` must be non-empty text without control characters"])
    }

    // MARK: File content

    @Test func fileWithBothContentAndSource() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: "inline\\n"
              source: files/a
            """) == ["resources/x.yaml:4:3: a File needs exactly one of `content` and `source`"])
    }

    @Test func fileWithNeitherContentNorSource() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              mode: "0600"
            """) == ["resources/x.yaml:4:3: a File needs exactly one of `content` and `source`"])
    }

    // MARK: Mode

    @Test(arguments: ["999", "0x12", "12345", "64", "", "0o644"])
    func badMode(_ mode: String) {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: x
              mode: "\(mode)"
            """) == ["resources/x.yaml:6:9: bad mode \(mode): write three or four octal digits, such as \"0644\""])
    }

    @Test func modeThatIsAListIsBad() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: x
              mode: [6, 4, 4]
            """) == ["resources/x.yaml:6:9: bad mode (not a string): write three or four octal digits, such as \"0644\""])
    }

    @Test(arguments: [("0644", 0o644), ("755", 0o755), ("0600", 0o600), ("1777", 0o1777)] as [(String, UInt32)])
    func goodModeIsReadAsOctal(_ text: String, _ mode: UInt32) throws {
        let parsed = parse("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: x
              mode: "\(text)"
            """)
        #expect(parsed.diagnostics.isEmpty)
        #expect(try #require(parsed.documents.only).mode == mode)
    }

    @Test func unquotedModeIsReadAsOctalText() throws {
        // YAML would read 0644 as the number 420; the manifest means the octal digits as written.
        let parsed = parse("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: x
              mode: 0644
            """)
        #expect(parsed.diagnostics.isEmpty)
        #expect(try #require(parsed.documents.only).mode == 0o644)
    }

    // MARK: Path

    @Test func absolutePath() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: /etc/passwd
              content: x
            """) == ["resources/x.yaml:4:9: path must be relative to the target, not absolute: /etc/passwd"])
    }

    @Test(arguments: ["../outside", "etc/../../outside", "a/..", "etc/../etc/a"])
    func pathWithDotDot(_ path: String) {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: \(path)
              content: x
            """) == ["resources/x.yaml:4:9: path must stay inside the target: `..` is not allowed: \(path)"])
    }

    @Test(arguments: [".", "./", ".//.", "./."])
    func onlyADirectoryCanBeTheTargetItself(_ path: String) {
        let root = parse("""
            kind: Directory
            name: home
            spec:
              path: "\(path)"
            """)
        #expect(root.diagnostics.isEmpty)
        #expect(root.documents.map(\.path) == [""])
        #expect(complaints("""
            kind: File
            name: root
            spec:
              path: "\(path)"
              content: x
            """) == ["resources/x.yaml:4:9: path must name something inside the target, not the target itself: \(path) (only a Directory can be the target root)"])
    }

    @Test func pathWithAControlCharacterIsRefusedAndEscapedInTheMessage() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: "etc/\\e[31mred"
              content: x
            """) == ["resources/x.yaml:4:9: path contains a control character: etc/\\e[31mred"])
    }

    @Test func emptyPathAndSignedModeAreRefused() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: ""
              mode: "+644"
              content: x
            """) == [
            "resources/x.yaml:4:9: path is empty",
            "resources/x.yaml:5:9: bad mode +644: write three or four octal digits, such as \"0644\"",
        ])
    }

    @Test func sourceWithDotDotFromTheRootIsRefused() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              source: /../secrets/key
            """) == ["resources/x.yaml:5:11: source must stay inside the repository: `..` is not allowed: /../secrets/key"])
    }

    // MARK: Other fields

    @Test(arguments: ["yes", "\"true \"", "1", "[true]"])
    func sensitiveThatIsNotABool(_ value: String) {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: etc/a
              content: x
              sensitive: \(value)
            """) == ["resources/x.yaml:6:14: `sensitive` must be true or false"])
    }

    @Test func symlinkWithoutTarget() {
        #expect(complaints("""
            kind: Symlink
            name: current
            spec:
              path: srv/current
            """) == ["resources/x.yaml:4:3: missing field `spec.target`"])
    }

    @Test func symlinkWithEmptyTarget() {
        #expect(complaints("""
            kind: Symlink
            name: current
            spec:
              path: srv/current
              target: ""
            """) == ["resources/x.yaml:5:11: `target` must be non-empty link text"])
    }

    // MARK: Several complaints, several documents

    @Test func severalErrorsInOneDocumentAreAllReported() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: /abs
              content: x
              mode: "999"
              sensitive: maybe
              color: red
            """) == [
                "resources/x.yaml:8:3: unknown field `color` in the spec of a File (expected content, decrypt, group, mode, owner, path, sensitive, source, template, validate)",
                "resources/x.yaml:4:9: path must be relative to the target, not absolute: /abs",
                "resources/x.yaml:6:9: bad mode 999: write three or four octal digits, such as \"0644\"",
                "resources/x.yaml:7:14: `sensitive` must be true or false",
            ])
    }

    @Test func errorsInSeveralDocumentsAreAllReported() {
        #expect(complaints("""
            kind: File
            name: a
            spec:
              path: ../a
              content: x
            ---
            kind: Symlink
            name: b
            spec:
              path: b
            """) == [
                "resources/x.yaml:4:9: path must stay inside the target: `..` is not allowed: ../a",
                "resources/x.yaml:10:3: missing field `spec.target`",
            ])
    }

    @Test func validDocumentsBesideAnInvalidOneAreParsed() {
        let parsed = parse("""
            kind: File
            name: first
            spec:
              path: etc/first
              content: "1"
            ---
            kind: Widget
            name: middle
            spec:
              path: etc/middle
            ---
            kind: Directory
            name: last
            spec:
              path: srv/last
            """)
        #expect(parsed.documents.map(\.id.description) == ["File/first", "Directory/last"])
        #expect(parsed.documents.map(\.location.line) == [1, 12])
        #expect(parsed.diagnostics.map(\.description) == ["resources/x.yaml:7:7: unknown kind `Widget` (expected File, Directory, Symlink, Service or Command)"])
    }

    @Test func fileWithOnlyCommentsHasNoDocumentsAndNoComplaints() {
        let parsed = parse("# nothing declared here yet\n")
        #expect(parsed.documents.isEmpty)
        #expect(parsed.diagnostics.isEmpty)
    }

    @Test func invalidUTF8IsReportedAtTheStart() {
        let parsed = ManifestParser.parse(Array("kind: File\nname: ".utf8) + [0xFF, 0xFE, 10], file: Self.file)
        #expect(parsed.documents.isEmpty)
        #expect(parsed.diagnostics.map(\.description) == ["resources/x.yaml:1:1: file is not valid UTF-8"])
    }

    // MARK: Valid documents

    @Test func validFileIsNormalizedWithDefaults() throws {
        let parsed = parse("""
            kind: File
            name: nginx-conf
            spec:
              path: ./etc//nginx/./nginx.conf
              content: "worker_processes 1;\\n"
            """)
        #expect(parsed.diagnostics.isEmpty)
        let document = try #require(parsed.documents.only)
        #expect(document.kind == .file)
        #expect(document.id.description == "File/nginx-conf")
        #expect(document.path == "etc/nginx/nginx.conf")
        #expect(document.content == "worker_processes 1;\n")
        #expect(document.source == nil)
        #expect(document.mode == nil)
        #expect(document.sensitive == false)
        #expect(document.location.description == "resources/x.yaml:1:1")
        #expect(document.nameLocation.description == "resources/x.yaml:2:7")
        #expect(document.pathLocation.description == "resources/x.yaml:4:9")
        #expect(document.sourceLocation == nil)
    }

    @Test func validFileWithSourceAndSensitive() throws {
        let parsed = parse("""
            kind: File
            name: key
            spec:
              path: a//b
              source: ./files//tls/./key.pem
              mode: "0600"
              sensitive: true
            """)
        #expect(parsed.diagnostics.isEmpty)
        let document = try #require(parsed.documents.only)
        #expect(document.path == "a/b")
        #expect(document.source == "files/tls/key.pem")
        #expect(document.sourceLocation?.description == "resources/x.yaml:5:11")
        #expect(document.content == nil)
        #expect(document.mode == 0o600)
        #expect(document.sensitive == true)
    }

    @Test func validDirectoryWithDefaults() throws {
        let parsed = parse("""
            kind: Directory
            name: www
            spec:
              path: ./srv//www/
            """)
        #expect(parsed.diagnostics.isEmpty)
        let document = try #require(parsed.documents.only)
        #expect(document.kind == .directory)
        #expect(document.id.description == "Directory/www")
        #expect(document.path == "srv/www")
        #expect(document.mode == nil)
        #expect(document.prune == false)
        #expect(document.source == nil)
        #expect(document.sensitive == false)
    }

    @Test func validDirectoryWithSourceAndPrune() throws {
        let parsed = parse("""
            kind: Directory
            name: www
            spec:
              path: srv/www
              source: files/site/
              mode: "0750"
              prune: true
            """)
        #expect(parsed.diagnostics.isEmpty)
        let document = try #require(parsed.documents.only)
        #expect(document.source == "files/site")
        #expect(document.mode == 0o750)
        #expect(document.prune == true)
    }

    @Test func validSymlink() throws {
        let parsed = parse("""
            kind: Symlink
            name: current
            spec:
              path: ./srv//current
              target: ../releases/v2
            """)
        #expect(parsed.diagnostics.isEmpty)
        let document = try #require(parsed.documents.only)
        #expect(document.kind == .symlink)
        #expect(document.id.description == "Symlink/current")
        #expect(document.path == "srv/current")
        // The link text is kept as written: it is not a path plumb writes through.
        #expect(document.linkTarget == "../releases/v2")
        #expect(document.mode == nil)
        #expect(document.sensitive == false)
    }

    @Test func sameNameWithDifferentKindsIsFineInOneFile() {
        let parsed = parse("""
            kind: Directory
            name: app
            spec:
              path: app
            ---
            kind: File
            name: app
            spec:
              path: app/conf
              content: x
            """)
        #expect(parsed.diagnostics.isEmpty)
        #expect(parsed.documents.map(\.id.description) == ["Directory/app", "File/app"])
    }

    // MARK: dependsOn

    @Test func dependsOnIsReadWithWhereEachIdStands() throws {
        let parsed = parse("""
            kind: File
            name: site
            dependsOn: [Directory/www, File/base]
            spec: {path: srv/www/index.html, content: hi}
            """)
        #expect(parsed.diagnostics.isEmpty, "\(parsed.diagnostics)")
        let document = try #require(parsed.documents.first)
        #expect(document.dependsOn.map(\.id.description) == ["Directory/www", "File/base"])
        #expect(document.dependsOn.map(\.location.column) == [13, 28])
    }

    @Test func dependsOnMustBeAListOfResourceIds() {
        #expect(complaints("kind: File\nname: a\ndependsOn: Directory/www\nspec: {path: a, content: a}\n")
                == ["resources/x.yaml:3:12: `dependsOn` must be a list of resource ids, such as [Directory/etc-nginx]"])
        #expect(complaints("kind: File\nname: a\ndependsOn: [www, Package/web]\nspec: {path: a, content: a}\n") == [
            "resources/x.yaml:3:13: `www` in `dependsOn` is not a resource id: write Kind/name, Kind one of File, Directory, Symlink, Service or Command",
            "resources/x.yaml:3:18: `Package/web` in `dependsOn` is not a resource id: write Kind/name, Kind one of File, Directory, Symlink, Service or Command",
        ])
    }
}

extension Collection {
    /// The single element, or nil when there are none or several.
    var only: Element? { count == 1 ? first : nil }
}
