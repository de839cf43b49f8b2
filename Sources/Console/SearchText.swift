import Foundation

/// What `/` searches in, per row: the row's fields lowercased into bytes once, when the rows
/// arrive, so filtering a hundred thousand rows on each key typed is a scan of bytes, not a
/// case-insensitive string search per field.
public struct SearchText: Sendable {
    private let bytes: [UInt8]

    public init(_ fields: String...) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fields.reduce(0) { $0 + $1.utf8.count + 1 })
        for field in fields {
            // ASCII, which ids, paths and status words mostly are, is lowercased byte by byte;
            // only a field with other letters pays for `lowercased()`.
            let start = bytes.count
            var ascii = true
            for byte in field.utf8 {
                ascii = ascii && byte < 0x80
                bytes.append(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)
            }
            if !ascii {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: field.lowercased().utf8)
            }
            bytes.append(0)
        }
        self.bytes = bytes
    }

    /// The filter as it is searched for: lowercased bytes.
    static func needle(_ filter: String) -> [UInt8] { Array(filter.lowercased().utf8) }

    /// Whether any field contains `needle` (already lowercased).
    func contains(_ needle: [UInt8]) -> Bool {
        guard let first = needle.first else { return true }
        guard needle.count <= bytes.count else { return false }
        return bytes.withUnsafeBufferPointer { haystack in
            needle.withUnsafeBufferPointer { needle in
                // memchr finds each place the first byte occurs; only there is the rest compared.
                guard let base = haystack.baseAddress, let rest = needle.baseAddress.map({ $0 + 1 }) else { return false }
                var start = 0
                let last = haystack.count - needle.count
                while start <= last {
                    guard let hit = memchr(base + start, Int32(first), last - start + 1) else { return false }
                    let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                    if memcmp(base + at + 1, rest, needle.count - 1) == 0 { return true }
                    start = at + 1
                }
                return false
            }
        }
    }
}
