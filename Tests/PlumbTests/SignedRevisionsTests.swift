import Foundation
import Testing
import TestSupport

/// With a trust root, nothing is applied unless git verifies the revision's signature against it:
/// real `ssh-keygen` keys, commits signed with `git -c gpg.format=ssh`, real `git verify-commit`.
@Suite struct SignedRevisionsTests {
    let fx: PlumbFixture
    let keys: Scratch
    /// Olga's key is trusted; Mallory's is a key like any other, in no allowed-signers file.
    let olga: String, mallory: String
    let allowed: String
    let motd = "resources/motd.yaml"

    init() throws {
        fx = try PlumbFixture()
        keys = try Scratch()
        (olga, mallory) = (keys.file("olga"), keys.file("mallory"))
        for (key, name) in [(olga, "olga"), (mallory, "mallory")] {
            try run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key])
        }
        allowed = keys.file("allowed_signers")
        try keys.write("allowed_signers", "olga@example.com \(try #require(keys.read("olga.pub")))")
    }

    func file(_ content: String) -> String { SourceChangeTests.file("motd", "etc/motd", content) }

    func sync(_ extra: String...) throws -> ProcessResult { try fx.plumb(arguments: ["sync", "--allowed-signers", allowed] + extra) }

    @Test func anUnsignedHeadIsRefusedAndASignedOneApplied() throws {
        try fx.source.write(motd, file("unsigned"))
        let unsigned = try fx.source.commit("unsigned motd")
        let refused = try sync()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("revision \(unsigned.prefix(12)) is not applied: it is not signed (checked against the allowed signers in \(allowed))"),
                "\(refused.stderr)")
        #expect(fx.target.read("etc/motd") == nil, "nothing applied")
        #expect(try fx.journal().contains { $0["reason"] as? String == "SignatureInvalid" && $0["revision"] as? String == unsigned })

        try fx.source.write(motd, file("signed"))
        _ = try fx.source.commit("signed motd", signedWith: .ssh(key: olga))
        let applied = try sync()
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(fx.target.read("etc/motd") == "signed\n")
    }

    @Test func aHeadSignedByAnotherKeyIsRefusedNamingTheKey() throws {
        try fx.source.write(motd, file("mallory's"))
        _ = try fx.source.commit("a signed motd", signedWith: .ssh(key: mallory))
        let fingerprint = try run("ssh-keygen", ["-l", "-f", mallory + ".pub"]).stdout.split(separator: " ")[1]
        let refused = try sync()
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it is signed with ED25519 key \(fingerprint), which is not a trusted key"), "\(refused.stderr)")
        #expect(fx.target.read("etc/motd") == nil)
    }

    /// The trust root is plumb's alone: a git configuration that trusts Mallory's key, or that
    /// swaps ssh-keygen for a program that says every signature is good, changes nothing.
    @Test func gitConfigurationCannotWidenTheTrustRoot() throws {
        let theirs = keys.file("mallory_signers")
        try keys.write("mallory_signers", "olga@example.com \(try #require(keys.read("mallory.pub")))")
        let liar = keys.file("liar")
        // What ssh-keygen says for a trusted key, whatever it is asked.
        try keys.write("liar", """
            #!/bin/sh
            case "$*" in *find-principals*) echo olga@example.com;; *) echo 'Good "git" signature for olga@example.com with ED25519 key SHA256:x';; esac
            """, mode: 0o755)
        let config = keys.file("gitconfig")
        try keys.write("gitconfig", "[gpg \"ssh\"]\n\tallowedSignersFile = \(theirs)\n\tprogram = \(liar)\n")
        try fx.source.write(motd, file("mallory's"))
        _ = try fx.source.commit("a signed motd", signedWith: .ssh(key: mallory))
        for env in [["GIT_CONFIG_GLOBAL": config], ["HOME": keys.path, "XDG_CONFIG_HOME": keys.path]] {
            if env["HOME"] != nil { try FileManager.default.copyItem(atPath: config, toPath: keys.file(".gitconfig")) }
            let refused = try fx.plumb(arguments: ["sync", "--allowed-signers", allowed], env: env)
            #expect(refused.status == 1, "\(env): \(refused.stdout)")
            #expect(refused.stderr.contains("which is not a trusted key"), "\(refused.stderr)")
            #expect(fx.target.read("etc/motd") == nil)
        }
    }

    @Test func theAgentKeepsTheAppliedRevisionWhileTheHeadIsUnverifiedAndSaysSoOnce() throws {
        try fx.source.write(motd, file("signed"))
        _ = try fx.source.commit("signed motd", signedWith: .ssh(key: olga))
        let agent = ["agent", "--once", "--auto-sync", "--allowed-signers", allowed]
        #expect(try fx.plumb(arguments: agent).status == 0)
        #expect(fx.target.read("etc/motd") == "signed\n")

        try fx.source.write(motd, file("pushed unsigned"))
        let unsigned = try fx.source.commit("unsigned motd")
        try fx.target.write("etc/motd", "edited by hand\n")
        _ = try fx.plumb(arguments: agent)
        _ = try fx.plumb(arguments: agent)
        #expect(fx.target.read("etc/motd") == "signed\n", "the hand edit is mended to the applied, signed revision; the unsigned head is not applied")
        let refusals = try fx.journal().filter { $0["reason"] as? String == "SignatureInvalid" }
        #expect(refusals.count == 1, "once per head: \(refusals)")
        #expect(refusals.first?["revision"] as? String == unsigned)
    }

    @Test func aTrustRootThatCannotBeReadIsSaidAtOnce() throws {
        let missing = keys.file("nowhere")
        let result = try fx.plumb(arguments: ["sync", "--allowed-signers", missing])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the allowed signers file \(missing) (--allowed-signers or PLUMB_ALLOWED_SIGNERS) cannot be read"), "\(result.stderr)")
        let both = try fx.plumb(arguments: ["status", "--allowed-signers", allowed, "--gpg-home", keys.path])
        #expect(both.stderr.contains("give one trust root"), "\(both.stderr)")
    }

    /// An OpenPGP trust root: a GnuPG home whose keyring holds the trusted key.
    @Test func anOpenPGPHeadVerifiesAgainstTheGivenHomeOnly() throws {
        func home(_ name: String, _ user: String) throws -> String {
            let home = keys.file(name)
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try run("gpg", ["--homedir", home, "--batch", "--passphrase", "", "--quick-gen-key", user, "ed25519", "sign", "never"])
            try keys.write("\(name)/gpg", "#!/bin/sh\nexec gpg --homedir '\(home)' \"$@\"\n", mode: 0o755)
            return home
        }
        let trusted = try home("trusted", "Olga <olga@example.com>")
        let other = try home("other", "Mallory <m@example.com>")
        // gpg leaves an agent per home behind: stopped with the test.
        defer { for home in [trusted, other] { _ = try? run("gpgconf", ["--homedir", home, "--kill", "all"]) } }
        try fx.source.write(motd, file("by mallory"))
        _ = try fx.source.commit("a signed motd", signedWith: .openpgp(home: other, user: "m@example.com"))
        let refused = try fx.plumb(arguments: ["sync", "--gpg-home", trusted])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("it is signed with OpenPGP key"), "\(refused.stderr)")
        try fx.source.write(motd, file("by olga"))
        _ = try fx.source.commit("a signed motd", signedWith: .openpgp(home: trusted, user: "olga@example.com"))
        let applied = try fx.plumb(arguments: ["sync", "--gpg-home", trusted])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(fx.target.read("etc/motd") == "by olga\n")
    }

    @Test func statusSaysWhetherTheHeadVerifiesAndBySigner() throws {
        try fx.source.write(motd, file("unsigned"))
        _ = try fx.source.commit("unsigned motd")
        let unsigned = try fx.plumb(arguments: ["status", "--allowed-signers", allowed])
        #expect(unsigned.stdout.contains("signature NOT VERIFIED: it is not signed; not applied"), "\(unsigned.stdout)")
        let json = try fx.plumb(arguments: ["status", "--json", "--allowed-signers", allowed]).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let signature = try #require(document["signature"] as? [String: Any])
        #expect(signature["verified"] as? Bool == false && signature["problem"] as? String == "it is not signed")
        _ = try fx.source.commit("signed", signedWith: .ssh(key: olga))
        #expect(try fx.plumb(arguments: ["status", "--allowed-signers", allowed]).stdout.contains("signature verified: signed by olga@example.com"))
        let plain = try fx.plumb(arguments: ["status", "--json"]).stdout
        #expect(plain.contains("\"signature\" : null"), "null without a trust root: \(plain.prefix(300))")
    }

    /// The console's header says whether the head verifies, and its history marks each commit:
    /// real signatures, verified as the rows come into view.
    @Test func theConsoleMarksEachCommitsSignature() throws {
        try fx.source.write(motd, file("unsigned"))
        _ = try fx.source.commit("unsigned motd")
        try fx.source.write(motd, file("mallory's"))
        _ = try fx.source.commit("mallory's motd", signedWith: .ssh(key: mallory))
        try fx.source.write(motd, file("olga's"))
        _ = try fx.source.commit("olga's motd", signedWith: .ssh(key: olga))
        let env = fx.environment.merging(["TERM": "tmux-256color", "HOME": fx.state.path]) { _, new in new }
        let tmux = try TmuxSession(command: "\(TmuxSession.quote(PlumbBinary.path)) --allowed-signers \(TmuxSession.quote(allowed))", env: env, width: 100, height: 24)
        #expect(tmux.waitFor(" verified").ok, "\(tmux.screen())")
        tmux.press("3")
        let marked = tmux.waitFor { $0.contains("✓") && $0.split(separator: "\n").filter { $0.contains("✗") }.count >= 2 }
        #expect(marked.ok, "olga's commit verified, mallory's and the unsigned one not: \(marked.screen)")
        let rows = marked.screen.split(separator: "\n")
        #expect(rows.first { $0.contains("olga's motd") }?.contains("✓") == true && rows.first { $0.contains("mallory's motd") }?.contains("✗") == true,
                "\(marked.screen)")
        tmux.press("q")
        #expect(tmux.waitForExit().screen.contains("EXIT=0"))
    }

    /// A rollback plumb writes is signed when the operator's git signs, and is not pushed at all
    /// when it would not verify against the trust root the command was given.
    @Test func aRollbackIsSignedWhenTheOperatorSignsAndNotPushedWhenItWouldNotVerify() throws {
        try fx.source.write(motd, file("first"))
        let first = try fx.source.commit("first", signedWith: .ssh(key: olga))
        try fx.source.write(motd, file("second"))
        let second = try fx.source.commit("second", signedWith: .ssh(key: olga))
        #expect(try sync().status == 0)

        let unsigning = keys.file("unsigning.gitconfig")
        try keys.write("unsigning.gitconfig", "[user]\n\tname = Olga Operator\n\temail = olga@example.com\n")
        let env = ["GIT_CONFIG_GLOBAL": unsigning, "GIT_CONFIG_NOSYSTEM": "1"]
        let refused = try fx.plumb(arguments: ["rollback", first, "--yes", "--allowed-signers", allowed], env: env)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("is not pushed: it is not signed, so plumb would not apply it"), "\(refused.stderr)")
        #expect(try fx.source.head() == second, "nothing pushed")

        let signing = keys.file("signing.gitconfig")
        try keys.write("signing.gitconfig", """
            [user]
            \tname = Olga Operator
            \temail = olga@example.com
            \tsigningkey = \(olga)
            [gpg]
            \tformat = ssh
            [commit]
            \tgpgSign = true
            """)
        let rolled = try fx.plumb(arguments: ["rollback", first, "--yes", "--allowed-signers", allowed], env: ["GIT_CONFIG_GLOBAL": signing, "GIT_CONFIG_NOSYSTEM": "1"])
        #expect(rolled.status == 0, "\(rolled.stderr)")
        let head = try #require(try fx.source.head())
        #expect(head != second)
        let verified = try run("git", ["-c", "gpg.ssh.allowedSignersFile=\(allowed)", "--git-dir", fx.source.bare, "verify-commit", head])
        #expect(verified.status == 0, "the rollback commit is signed by olga: \(verified.stderr)")
        #expect(try sync().status == 0, "and an agent with the trust root applies it")
        #expect(fx.target.read("etc/motd") == "first\n")
    }
}
