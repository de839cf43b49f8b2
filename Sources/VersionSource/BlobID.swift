import Crypto

/// Git's object id for content: SHA-1 of `blob <size>\0<bytes>`. Comparing it with a tree entry
/// tells whether a file on disk equals the desired content without reading the desired content.
public struct BlobHasher {
    private var sha = Insecure.SHA1()

    /// Starts a blob of `size` bytes; feed exactly that many bytes before `finish`.
    public init(size: Int) {
        sha.update(data: Array("blob \(size)\0".utf8))
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) { sha.update(bufferPointer: bytes) }

    public mutating func finish() -> String { hex(sha.finalize()) }

    /// The blob id of bytes held in memory.
    public static func id<C: Collection<UInt8>>(of bytes: C) -> String {
        var hasher = BlobHasher(size: bytes.count)
        Array(bytes).withUnsafeBytes { hasher.update($0) }
        return hasher.finish()
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

private func hex<D: Sequence<UInt8>>(_ digest: D) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(40)
    for byte in digest {
        out.append(hexDigits[Int(byte >> 4)])
        out.append(hexDigits[Int(byte & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
