import Foundation
import DesiredState

/// The stat cache, laid out like git's index. For the revision it was made for, one fixed-size
/// record per declared resource, in the desired state's order, read in place: an unchanged file
/// costs one `fstatat` and a comparison of bytes, with nothing decoded and nothing allocated.
/// Files outside the declared list (extras) have a few entries by path.
public final class StatIndex: Sendable {
    /// present, type, mode, size, mtime, ctime, inode, recorded: one byte and seven Int64s; then
    /// the blob id in hex.
    static let recordSize = 1 + 7 * 8 + 40

    /// The revision whose resources the records follow, in order.
    public let revision: String
    public let count: Int
    private let bytes: [UInt8]
    private let recordsStart: Int
    /// Entries by path, for files that are not declared resources of `revision`.
    public let others: [String: StatCacheEntry]

    public static let empty = StatIndex(revision: "", count: 0, bytes: [], recordsStart: 0, others: [:])

    private init(revision: String, count: Int, bytes: [UInt8], recordsStart: Int, others: [String: StatCacheEntry]) {
        self.revision = revision
        self.count = count
        self.bytes = bytes
        self.recordsStart = recordsStart
        self.others = others
    }

    /// The record of the resource at `slot`, without its blob id.
    func record(at slot: Int) -> (stat: TargetFileSystem.Stat, recorded: Int64)? {
        guard slot < count else { return nil }
        return bytes.withUnsafeBytes { raw in
            let at = recordsStart + slot * Self.recordSize
            guard raw[at] != 0 else { return nil }
            func int(_ field: Int) -> Int64 { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 1 + field * 8, as: Int64.self)) }
            let stat = TargetFileSystem.Stat(type: mode_t(int(0)), mode: UInt32(int(1)), size: Int(int(2)),
                                             mtime: int(3), ctime: int(4), inode: UInt64(bitPattern: int(5)))
            return (stat, int(6))
        }
    }

    /// Whether the blob id recorded at `slot` is `blob`, compared as bytes.
    func blob(at slot: Int, equals blob: String) -> Bool {
        var blob = blob
        return blob.withUTF8 { expected in
            bytes.withUnsafeBytes { raw in
                let at = recordsStart + slot * Self.recordSize + 1 + 7 * 8
                return expected.count == 40 && memcmp(raw.baseAddress! + at, expected.baseAddress!, 40) == 0
            }
        }
    }

    func blob(at slot: Int) -> String {
        let at = recordsStart + slot * Self.recordSize + 1 + 7 * 8
        return String(decoding: bytes[at..<at + 40], as: UTF8.self)
    }

    func entry(at slot: Int) -> StatCacheEntry? {
        record(at: slot).map { StatCacheEntry(stat: $0.stat, blob: blob(at: slot), recorded: $0.recorded) }
    }

    /// Every entry by path, given the paths of the resources the records follow: what survives of
    /// the index when another revision is observed.
    func byPath(_ paths: [String]) -> [String: StatCacheEntry] {
        var result = others
        for (slot, path) in paths.prefix(count).enumerated() {
            if let entry = entry(at: slot) { result[path] = entry }
        }
        return result
    }

    // MARK: Bytes

    /// What a new index is made of: an entry (or none) per declared resource, and the others.
    public struct Parts: Sendable {
        let revision: String
        let slots: [StatCacheEntry?]
        let others: [String: StatCacheEntry]
    }

    static func encode(_ parts: Parts) -> [UInt8] {
        var w = BinaryWriter()
        w.int(CacheCoding.version)
        w.string(parts.revision)
        w.int(parts.slots.count)
        for slot in parts.slots {
            guard let entry = slot, entry.blob.utf8.count == 40 else {
                w.append(repeatElement(0, count: recordSize))
                continue
            }
            w.bool(true)
            for field in [Int64(entry.stat.type), Int64(entry.stat.mode), Int64(entry.stat.size), entry.stat.mtime,
                          entry.stat.ctime, Int64(bitPattern: entry.stat.inode), entry.recorded] {
                w.int(field)
            }
            w.append(Array(entry.blob.utf8))
        }
        w.bytes.append(contentsOf: CacheCoding.encode(parts.others))
        return w.bytes
    }

    static func decode(_ bytes: [UInt8]) throws -> StatIndex {
        let (revision, count, start, others) = try bytes.withUnsafeBytes { raw in
            try BinaryReader.decode(raw) { r in
                guard try r.int() == CacheCoding.version else { throw BinaryReader.Corrupt() }
                let (revision, count, start) = (try r.string(), try r.count(), r.offset)
                let othersStart = start + count * recordSize
                guard othersStart <= raw.count else { throw BinaryReader.Corrupt() }
                return (revision, count, start, try CacheCoding.decodeStatCache(UnsafeRawBufferPointer(rebasing: raw[othersStart...])))
            }
        }
        return StatIndex(revision: revision, count: count, bytes: bytes, recordsStart: start, others: others)
    }
}
