import Foundation
import Testing
import TestSupport

/// Files kept encrypted in git (`decrypt: age`), with real `age-keygen` identities and real `age`:
/// the plain text reaches the target file and nowhere else.
@Suite struct AgeSecretsTests {
    let fx: PlumbFixture
    let keys: Scratch
    /// The machine's identity, and another machine's that the secret is not encrypted to.
    let identity: String, stranger: String
    let recipient: String
    /// Unique, so that finding it anywhere can only mean it leaked.
    let secret = "hunter2-\(UUID().uuidString)"
    let manifest = """
        kind: File
        name: db-password
        spec:
          path: etc/db-password
          source: files/db-password.age
          decrypt: age
          mode: "0600"

        """

    init() throws {
        fx = try PlumbFixture()
        keys = try Scratch()
        (identity, stranger) = (keys.file("machine.key"), keys.file("stranger.key"))
        for key in [identity, stranger] { try run("age-keygen", ["-o", key]) }
        recipient = try run("age-keygen", ["-y", identity]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try fx.source.write("resources/secret.yaml", manifest)
        try encrypt(secret + "\n")
        try fx.source.write("resources/motd.yaml", SourceChangeTests.file("motd", "etc/motd", "welcome"))
        try fx.source.commit("a database password, encrypted")
    }

    /// Writes `text` to the source's `files/db-password.age` as binary age ciphertext.
    func encrypt(_ text: String) throws {
        try FileManager.default.createDirectory(atPath: fx.source.work + "/files", withIntermediateDirectories: true)
        let plain = keys.file("plain")
        try keys.write("plain", text)
        let made = try run("age", ["-r", recipient, "-o", fx.source.work + "/files/db-password.age", plain])
        try #require(made.status == 0, "\(made.stderr)")
        try FileManager.default.removeItem(atPath: plain)
    }

    func plumb(_ arguments: String..., key: String? = nil) throws -> ProcessResult {
        try fx.plumb(arguments: arguments, env: key.map { ["PLUMB_AGE_IDENTITY": $0] } ?? [:])
    }

    /// Every file under `folder` (the state dir: database, its WAL, mirror, caches, backups)
    /// that holds `text`.
    func files(under folder: String, holding text: String) -> [String] {
        let needle = Data(text.utf8)
        let walker = FileManager.default.enumerator(atPath: folder)
        var found: [String] = []
        while let relative = walker?.nextObject() as? String {
            let path = folder + "/" + relative
            if let data = FileManager.default.contents(atPath: path), data.range(of: needle) != nil { found.append(relative) }
        }
        return found
    }

    @Test func theSecretIsAppliedAndFoundNowhereElse() throws {
        let synced = try plumb("sync", key: identity)
        #expect(synced.status == 0, "\(synced.stderr)")
        #expect(fx.target.read("etc/db-password") == secret + "\n", "the plain text is in the target file")
        #expect(fx.target.mode("etc/db-password") == 0o600)

        try fx.target.write("etc/db-password", "changed by hand\n")
        var outputs = [synced.stdout + synced.stderr]
        for arguments in [["status"], ["status", "--json"], ["diff"], ["diff", "File/db-password"], ["sync"], ["events", "--json"],
                          ["history"], ["check"], ["sync", "--dry-run"]] {
            let result = try fx.plumb(arguments: arguments, env: ["PLUMB_AGE_IDENTITY": identity])
            outputs.append(result.stdout + result.stderr)
        }
        #expect(fx.target.read("etc/db-password") == secret + "\n", "the hand edit was mended")
        #expect(outputs[3].contains("(content hidden: File/db-password is sensitive)"), "\(outputs[3])")
        #expect(outputs[5].contains("readable by its owner only: it may hold a secret"), "the backup of the hand edit says it is private: \(outputs[5])")
        for output in outputs { #expect(!output.contains(secret), "\(output)") }
        #expect(files(under: fx.state.path, holding: secret).isEmpty, "the plain text never enters the state dir")
        #expect(!files(under: fx.state.path, holding: "changed by hand").isEmpty, "the check can find what is there: the hand edit's backup")
    }

    @Test func theConsoleNeverShowsIt() throws {
        #expect(try plumb("sync", key: identity).status == 0)
        try fx.target.write("etc/db-password", "changed by hand\n")
        let env = fx.environment.merging(["TERM": "tmux-256color", "HOME": fx.state.path, "PLUMB_AGE_IDENTITY": identity]) { _, new in new }
        let tmux = try TmuxSession(command: TmuxSession.quote(PlumbBinary.path), env: env, width: 200, height: 60)
        #expect(tmux.waitFor("File/db-password").ok, "\(tmux.screen())")
        tmux.press("g")
        let shown = tmux.waitFor("content hidden")
        #expect(shown.ok, "\(shown.screen)")
        for view in ["1", "3", "4"] {
            tmux.press(view, "Enter")
            Thread.sleep(forTimeInterval: 0.3)
            #expect(!tmux.screen().contains(secret))
            tmux.press("Escape")
        }
        tmux.press("q")
        #expect(tmux.waitForExit().screen.contains("EXIT=0"))
    }

    @Test func withoutTheIdentityItIsUnknownAndTheRestIsApplied() throws {
        let refused = try plumb("sync")
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("no age identity was given (--age-identity FILE or PLUMB_AGE_IDENTITY)")
                || refused.stderr.contains("no age identity was given"), "\(refused.stdout)\(refused.stderr)")
        #expect(fx.target.read("etc/motd") == "welcome\n", "what needs no secret is applied")
        #expect(!fx.target.exists("etc/db-password"), "nothing is written where the secret goes")
        let status = try #require(try fx.resource("File/db-password"))
        #expect(status["sync"] as? String == "Unknown")
        #expect((status["message"] as? String)?.contains("cannot decrypt it: no age identity was given") == true, "\(status)")

        let wrong = try #require(try fx.resource("File/db-password", env: ["PLUMB_AGE_IDENTITY": stranger]))
        #expect(wrong["sync"] as? String == "Unknown")
        #expect((wrong["message"] as? String)?.contains("age could not decrypt it with \(stranger)") == true, "\(wrong)")

        let missing = try plumb("status", key: keys.file("nowhere"))
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("the age identity \(keys.file("nowhere")) (--age-identity or PLUMB_AGE_IDENTITY) cannot be read"), "\(missing.stderr)")
    }

    @Test func aNewCiphertextIsPendingThenApplied() throws {
        #expect(try plumb("sync", key: identity).status == 0)
        try encrypt("rotated-\(secret)\n")
        try fx.source.commit("rotate the password")
        let pending = try #require(try fx.resource("File/db-password", env: ["PLUMB_AGE_IDENTITY": identity]))
        #expect(pending["drift"] as? String == "pending", "\(pending)")
        #expect(try plumb("sync", key: identity).status == 0)
        #expect(fx.target.read("etc/db-password") == "rotated-\(secret)\n")
        #expect(files(under: fx.state.path, holding: "rotated-").isEmpty)
    }

    /// A secret committed in the clear under a `.age` name is caught before anything applies it.
    @Test func plainTextWhereCiphertextBelongsFailsTheCheck() throws {
        try fx.source.write("files/db-password.age", "hunter2 in the clear\n")
        let head = try fx.source.commit("oops")
        let check = try plumb("check", key: identity)
        #expect(check.status == 1)
        #expect(check.stdout.contains("resources/secret.yaml:5:11: files/db-password.age is not age ciphertext (it does not begin with age-encryption.org/v1)")
                || check.stderr.contains("resources/secret.yaml:5:11: files/db-password.age is not age ciphertext"), "\(check.stdout)\(check.stderr)")
        let sync = try plumb("sync", key: identity)
        #expect(sync.status == 1)
        #expect(sync.stderr.contains(head.prefix(12)), "\(sync.stderr)")
        #expect(!fx.target.exists("etc/db-password"))
    }

    @Test func aDecryptedFileIsDeclaredOnlyAsCiphertextFromTheRepository() throws {
        let cases: [(String, String)] = [
            ("  decrypt: gpg\n", "resources/secret.yaml:7:12: `decrypt` must be age, not gpg"),
            ("  sensitive: false\n", "a File with `decrypt` is always sensitive: remove `sensitive: false`"),
        ]
        for (extra, complaint) in cases {
            let text = extra.contains("gpg") ? manifest.replacingOccurrences(of: "  decrypt: age\n", with: "") + extra : manifest + extra
            try fx.source.write("resources/secret.yaml", text)
            try fx.source.commit("bad: \(extra)")
            let check = try plumb("check")
            #expect(check.status == 1)
            #expect((check.stdout + check.stderr).contains(complaint), "\(check.stdout)\(check.stderr)")
        }
        try fx.source.write("resources/secret.yaml", "kind: File\nname: db-password\nspec:\n  path: etc/db-password\n  content: hunter2\n  decrypt: age\n")
        try fx.source.commit("inline")
        let inline = try plumb("check")
        #expect((inline.stdout + inline.stderr).contains("resources/secret.yaml:6:12: `decrypt` needs `source`"), "\(inline.stdout)\(inline.stderr)")
    }

    /// A validator may quote what it refuses: for a secret, only its exit is told.
    @Test func aRefusingValidatorDoesNotQuoteTheSecret() throws {
        try fx.source.write("resources/secret.yaml", manifest + "  validate: [\"/bin/sh\", \"-c\", \"cat \\\"$0\\\"; exit 3\", \"{}\"]\n")
        try fx.source.commit("validate the password")
        let refused = try plumb("sync", key: identity)
        #expect(refused.status == 1)
        #expect((refused.stdout + refused.stderr).contains("exit 3 (its output is not shown: the content is sensitive)"), "\(refused.stdout)\(refused.stderr)")
        #expect(!(refused.stdout + refused.stderr + (try plumb("events", "--json").stdout)).contains(secret))
    }
}
