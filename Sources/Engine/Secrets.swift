import ChildProcess
import DesiredState
import Foundation
import Synchronization
import VersionSource

/// Decrypts the Files declared `decrypt: age` for one engine, in memory only.
///
/// The plain text is held here and in the resources handed to observing and applying; it is
/// never stored: caches keep the resources as declared (`DesiredResource.declared`), and the
/// state dir knows a secret by its ciphertext's blob id and the hash of what the target holds,
/// as for every file. A ciphertext is decrypted once per process.
final class Secrets: Sendable {
    /// `--age-identity`: the file `age -d -i` reads; nil when none was given.
    let identity: String?
    /// Plain text by ciphertext blob id.
    private let known = Mutex<[String: [UInt8]]>([:])
    /// How long `age` may take for one file.
    static let timeout: Duration = .seconds(30)

    init(identity: String?) {
        self.identity = identity
    }

    /// `desired` with each encrypted File's shape holding its plain text (`.decrypted`), or
    /// marked `.undecryptable` with the reason; the same state when it declares no secret.
    func reveal(_ desired: DesiredState, from mirror: Mirror) async -> DesiredState {
        guard desired.resources.contains(where: { if case .declared = $0.encryption { true } else { false } }) else { return desired }
        var revealed: [ResourceID: DesiredResource] = [:]
        for resource in desired.resources {
            guard case .declared(let cipher) = resource.encryption, case .file(let blob, _, let mode) = resource.shape else { continue }
            switch await plainText(of: blob, cipher: cipher, from: mirror) {
            case .success(let plain):
                revealed[resource.id] = resource.with(shape: .file(blob: BlobHasher.id(of: plain), inline: plain, mode: mode),
                                                      encryption: .decrypted(cipher, ciphertext: blob))
            case .failure(let problem):
                revealed[resource.id] = resource.with(shape: resource.shape, encryption: .undecryptable(cipher, ciphertext: blob, why: problem.description))
            }
        }
        return desired.replacing { $0.encryption == nil ? nil : revealed[$0.id] }
    }

    private func plainText(of blob: String, cipher: Cipher, from mirror: Mirror) async -> Result<[UInt8], SecretProblem> {
        if let plain = known.withLock({ $0[blob] }) { return .success(plain) }
        guard let identity else {
            return .failure(SecretProblem("cannot decrypt it: no age identity was given (--age-identity FILE or PLUMB_AGE_IDENTITY)"))
        }
        guard let age = ChildProcess.find("age") else {
            return .failure(SecretProblem("cannot decrypt it: the age program was not found (apt-get install age)"))
        }
        let ciphertext: [UInt8]
        do {
            guard let read = try await mirror.readBlobs([blob])[blob] else { return .failure(SecretProblem("its ciphertext \(blob.prefix(12)) is missing from the mirror")) }
            ciphertext = read
        } catch {
            return .failure(SecretProblem("cannot read its ciphertext from the mirror: \(error)"))
        }
        do {
            // The ciphertext on stdin, the plain text on stdout into memory: never a file.
            let out = try await ChildProcess.run(age, ["--decrypt", "--identity", identity], input: ciphertext, timeout: Self.timeout)
            guard out.status == 0 else {
                return .failure(SecretProblem("age could not decrypt it with \(identity): \(out.lastLine ?? "exit \(out.status)")"))
            }
            known.withLock { $0[blob] = out.stdout }
            return .success(out.stdout)
        } catch {
            return .failure(SecretProblem("age could not decrypt it: \(error)"))
        }
    }
}

/// Why a secret could not be decrypted: never any of its content.
struct SecretProblem: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description.escapingControlCharacters }
}
