import Foundation

/// What a revision's signature is checked against: given to plumb by the operator, never taken
/// from the repository or from anyone's git configuration.
public enum TrustRoot: Sendable, Hashable, CustomStringConvertible {
    /// An allowed-signers file in ssh-keygen's format (`principal key-type key`), for SSH signatures.
    case allowedSigners(String)
    /// A GnuPG home whose keyring holds the trusted keys, for OpenPGP signatures.
    case gpgHome(String)

    public var description: String {
        switch self {
        case .allowedSigners(let file): return "the allowed signers in \(file)"
        case .gpgHome(let home): return "the keys in \(home)"
        }
    }
}

/// git's verdict on a commit's signature against a trust root.
public enum SignatureVerdict: Sendable, Hashable {
    /// Signed by a key the trust root holds; `signer` is its principal (SSH) or user id (OpenPGP).
    case verified(signer: String)
    case unsigned
    /// Signed, by a key the trust root does not hold.
    case untrusted(key: String)
    /// A signature that does not verify (the commit changed, a revoked or expired key), as git said.
    case bad(String)

    public var isVerified: Bool { if case .verified = self { return true } else { return false } }

    /// Why it is not trusted, in a few words; nil when it is verified.
    public var problem: String? {
        switch self {
        case .verified: return nil
        case .unsigned: return "it is not signed"
        case .untrusted(let key): return "it is signed with \(key), which is not a trusted key"
        case .bad(let why): return "its signature does not verify: \(why)"
        }
    }
}

extension Mirror {
    /// Verifies `commit`'s signature with `git verify-commit --raw` against `trust` alone: no
    /// system or global git configuration is read, and the other kind of signature has nothing
    /// to verify against (an SSH trust root cannot be passed by the root user's GnuPG keyring);
    /// the verifying programs are named here too, so no configuration can swap in one that lies.
    public func verifySignature(of commit: String, against trust: TrustRoot) async throws -> SignatureVerdict {
        var settings = ["gpg.x509.program=false"]
        var environment = ["GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null"]
        switch trust {
        case .allowedSigners(let file):
            settings += ["gpg.ssh.allowedSignersFile=\(file)", "gpg.ssh.program=ssh-keygen", "gpg.ssh.revocationFile=", "gpg.program=false"]
        case .gpgHome(let home):
            settings += ["gpg.ssh.allowedSignersFile=/dev/null", "gpg.program=gpg"]
            environment["GNUPGHOME"] = home
        }
        let out = try await git.run(settings.flatMap { ["-c", $0] } + ["verify-commit", "--raw", commit], environment: environment)
        return Self.verdict(succeeded: out.succeeded, raw: out.stderr + String(decoding: out.stdout, as: UTF8.self))
    }

    /// Reads what `verify-commit --raw` printed: ssh-keygen's words for an SSH signature, GnuPG's
    /// status lines (`[GNUPG:] GOODSIG ...`) for an OpenPGP one, nothing for an unsigned commit.
    static func verdict(succeeded: Bool, raw: String) -> SignatureVerdict {
        let lines = raw.split(whereSeparator: \.isNewline).map(String.init)
        func status(_ keyword: String) -> [Substring]? {
            lines.lazy.compactMap { line -> [Substring]? in
                let words = line.split(separator: " ")
                return words.count >= 2 && words[0] == "[GNUPG:]" && words[1] == keyword ? Array(words.dropFirst(2)) : nil
            }.first
        }
        // ssh-keygen: `Good "git" signature for PRINCIPAL with ED25519 key SHA256:...`, or without
        // `for PRINCIPAL` when no allowed signer holds the key.
        let good = lines.first { $0.hasPrefix("Good \"git\" signature") }
        if succeeded {
            if let good, let range = good.range(of: " for "), let with = good.range(of: " with ", range: range.upperBound..<good.endIndex) {
                return .verified(signer: String(good[range.upperBound..<with.lowerBound]))
            }
            if let uid = status("GOODSIG") { return .verified(signer: uid.dropFirst().joined(separator: " ")) }
            return .bad("git accepted it but said nothing plumb can read")
        }
        if let good, let with = good.range(of: " with ") { return .untrusted(key: String(good[with.upperBound...])) }
        if let key = status("NO_PUBKEY") ?? status("ERRSIG") { return .untrusted(key: "OpenPGP key \(key.first ?? "?")") }
        if status("EXPKEYSIG") != nil { return .bad("the key has expired") }
        if status("REVKEYSIG") != nil { return .bad("the key was revoked") }
        if status("BADSIG") != nil { return .bad("the commit does not match its signature") }
        if lines.isEmpty { return .unsigned }
        return .bad(lines.last!)
    }
}
