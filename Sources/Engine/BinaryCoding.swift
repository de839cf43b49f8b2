/// A compact, versioned byte format for plumb's own caches: little-endian integers and
/// length-prefixed UTF-8. Reading ten thousand entries from it costs a loop, not a decoder.
struct BinaryWriter {
    var bytes: [UInt8] = []

    mutating func int(_ value: Int64) { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ value: Int) { int(Int64(value)) }
    mutating func append<S: Sequence<UInt8>>(_ raw: S) { bytes.append(contentsOf: raw) }
    mutating func bool(_ value: Bool) { bytes.append(value ? 1 : 0) }

    private var interned: [String: Int] = [:]

    mutating func string(_ value: String) {
        int(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    /// A string that repeats (a manifest's file name, an owner): written once, then by number.
    mutating func internedString(_ value: String) {
        if let index = interned[value] {
            int(-(index + 1))
        } else {
            interned[value] = interned.count
            string(value)
        }
    }

    mutating func optionalString(_ value: String?) {
        bool(value != nil)
        if let value { string(value) }
    }
}

/// Reads what `BinaryWriter` wrote, straight from the bytes (no copies but the strings it makes);
/// any inconsistency throws, and callers treat the cache as empty. It lives only inside `decode`,
/// while the caller keeps the bytes alive.
struct BinaryReader {
    struct Corrupt: Error {}

    private let bytes: UnsafeRawBufferPointer
    /// How far it has read.
    private(set) var offset = 0
    private var interned: [String] = []

    private init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    static func decode<T>(_ bytes: UnsafeRawBufferPointer, _ body: (inout BinaryReader) throws -> T) throws -> T {
        var reader = BinaryReader(bytes)
        return try body(&reader)
    }

    mutating func int() throws -> Int64 {
        guard offset + 8 <= bytes.count else { throw Corrupt() }
        defer { offset += 8 }
        return Int64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int64.self))
    }

    mutating func count() throws -> Int {
        let value = try int()
        guard value >= 0, value <= bytes.count else { throw Corrupt() }
        return Int(value)
    }

    mutating func bool() throws -> Bool {
        guard offset < bytes.count else { throw Corrupt() }
        defer { offset += 1 }
        return bytes[offset] != 0
    }

    mutating func string() throws -> String {
        let length = try count()
        return try characters(length)
    }

    private mutating func characters(_ length: Int) throws -> String {
        guard offset + length <= bytes.count else { throw Corrupt() }
        defer { offset += length }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
    }

    mutating func internedString() throws -> String {
        let marker = try int()
        if marker < 0 {
            let index = Int(-marker - 1)
            guard index < interned.count else { throw Corrupt() }
            return interned[index]
        }
        let value = try characters(Int(marker))
        interned.append(value)
        return value
    }

    mutating func optionalString() throws -> String? { try bool() ? try string() : nil }
}
