import DesiredState
import Foundation
import VersionSource

/// How the caches in the state database are laid out in bytes. A format change bumps `version`;
/// a cache of another version, or a damaged one, reads as empty and is rebuilt.
enum CacheCoding {
    static let version: Int64 = 8

    // MARK: Desired state of one revision

    /// The resources are written in `chunks` parts, each readable on its own, so that two cores
    /// decode ten thousand of them in half the time.
    static let chunks = 2

    static func encode(_ state: DesiredState) -> [UInt8] {
        var w = BinaryWriter()
        w.int(version)
        w.string(state.revision)
        w.string(state.host)
        let interval = state.settings.interval.components
        w.int(interval.seconds * 1000 + interval.attoseconds / 1_000_000_000_000_000)
        w.bool(state.settings.autoSync)
        w.bool(state.settings.prune)
        w.string(json(state.settings.alerts))
        let resources = state.resources
        let parts = (0..<chunks).map { chunk in
            encode(resources[(chunk * resources.count / chunks)..<((chunk + 1) * resources.count / chunks)])
        }
        for part in parts { w.int(part.count) }
        for part in parts { w.append(part) }
        return w.bytes
    }

    private static func encode(_ resources: ArraySlice<DesiredResource>) -> [UInt8] {
        var w = BinaryWriter()
        w.int(resources.count)
        // As declared: a secret's plain text, held in memory once decrypted, is never stored.
        for r in resources.lazy.map(\.declared) {
            w.internedString(r.id.kind)
            w.string(r.id.name)
            w.string(r.path)
            w.bool(r.sensitive)
            w.internedString(r.origin.file)
            w.int(r.origin.line)
            w.int(r.origin.column)
            w.bool(r.owner != nil)
            if let owner = r.owner {
                w.internedString(owner.kind)
                w.internedString(owner.name)
            }
            switch r.shape {
            case .file(let blob, let inline, let mode):
                w.int(0)
                w.string(blob)
                w.optionalString(inline.map { String(decoding: $0, as: UTF8.self) })
                w.int(Int(mode))
            case .directory(let spec):
                w.int(1)
                w.int(spec.mode.map(Int64.init) ?? -1)
                w.bool(spec.prune)
                w.bool(spec.purge)
                w.int(spec.ignore.patterns.count)
                for pattern in spec.ignore.patterns { w.string(pattern) }
                w.int(spec.ignoredInSource)
            case .symlink(let target):
                w.int(2)
                w.string(target)
            // Few and small: their specs as JSON, not a layout of their own.
            case .service(let spec):
                w.int(3)
                w.string(json(spec))
            case .command(let spec):
                w.int(4)
                w.string(json(spec))
            }
            w.int(r.dependsOn.count)
            for id in r.dependsOn {
                w.internedString(id.kind)
                w.string(id.name)
            }
            w.bool(r.validate != nil)
            w.int(r.validate?.count ?? 0)
            for word in r.validate ?? [] { w.internedString(word) }
            w.internedString(r.ownership.user?.description ?? "")
            w.internedString(r.ownership.group?.description ?? "")
            w.internedString(r.encryption?.cipher.rawValue ?? "")
        }
        return w.bytes
    }

    static func decodeDesiredState(_ bytes: UnsafeRawBufferPointer) throws -> DesiredState {
        var settings = Settings()
        var host = ""
        let (revision, sizes, start) = try BinaryReader.decode(bytes) { r in
            guard try r.int() == version else { throw BinaryReader.Corrupt() }
            let revision = try r.string()
            host = try r.string()
            settings.interval = .milliseconds(try r.int())
            settings.autoSync = try r.bool()
            settings.prune = try r.bool()
            settings.alerts = try spec([AlertRoute].self, try r.string())
            return (revision, try (0..<chunks).map { _ in try r.count() }, r.offset)
        }
        let bounds = sizes.reduce(into: [start]) { $0.append($0.last! + $1) }
        guard bounds.last! <= bytes.count else { throw BinaryReader.Corrupt() }
        let parts = (0..<chunks).map { UnsafeRawBufferPointer(rebasing: bytes[bounds[$0]..<bounds[$0 + 1]]) }
        // Each part starts with its count: the parts' resources are decoded on their own threads
        // straight into their places in one array, neither copied together nor sorted again.
        // (A count is at most its part's size in bytes, so together they fit in `bytes`.)
        let counts = try parts.map { part in try BinaryReader.decode(part) { try $0.count() } }
        let offsets = counts.reduce(into: [0]) { $0.append($0.last! + $1) }
        var failed = false
        let resources = [DesiredResource](unsafeUninitializedCapacity: offsets.last!) { buffer, initialized in
            nonisolated(unsafe) let base = buffer.baseAddress
            nonisolated(unsafe) let parts = parts
            let outcomes = UnsafeMutableBufferPointer<Bool>.allocate(capacity: chunks)
            defer { outcomes.deallocate() }
            nonisolated(unsafe) let succeeded = outcomes
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                // No resources at all may come without an address: then every count is 0.
                let slots = UnsafeMutableBufferPointer(start: base.map { $0 + offsets[chunk] }, count: counts[chunk])
                succeeded[chunk] = (try? BinaryReader.decode(parts[chunk]) { r in try decodeResources(&r, into: slots) }) != nil
            }
            if outcomes.allSatisfy({ $0 }) {
                initialized = offsets.last!
            } else {
                for chunk in 0..<chunks where outcomes[chunk] { base.map { ($0 + offsets[chunk]).deinitialize(count: counts[chunk]) } }
                failed = true
            }
        }
        if failed { throw BinaryReader.Corrupt() }
        return DesiredState(revision: revision, host: host, inOrder: resources, settings: settings)
    }

    /// Fills `slots`, as many as the part's count (read before, to place it), with the part's
    /// resources in order; on a damaged part it undoes those it made and throws.
    private static func decodeResources(_ r: inout BinaryReader, into slots: UnsafeMutableBufferPointer<DesiredResource>) throws {
        _ = try r.count()
        var made = 0
        do {
            for slot in slots.indices {
                (slots.baseAddress! + slot).initialize(to: try decodeResource(&r))
                made += 1
            }
        } catch {
            slots.baseAddress?.deinitialize(count: made)
            throw error
        }
    }

    private static func decodeResource(_ r: inout BinaryReader) throws -> DesiredResource {
        let id = ResourceID(kind: try r.internedString(), name: try r.string())
        let path = try r.string()
        let sensitive = try r.bool()
        let origin = SourceLocation(file: try r.internedString(), line: Int(try r.int()), column: Int(try r.int()))
        let owner = try r.bool() ? ResourceID(kind: try r.internedString(), name: try r.internedString()) : nil
        let shape: DesiredShape
        switch try r.int() {
        case 0: shape = .file(blob: try r.string(), inline: try r.optionalString().map { Array($0.utf8) }, mode: UInt32(try r.int()))
        case 1:
            let mode = try r.int()
            let prune = try r.bool(), purge = try r.bool()
            let ignore = IgnoreRules(patterns: try (0..<r.count()).map { _ in try r.string() })
            shape = .directory(DirectorySpec(mode: mode < 0 ? nil : UInt32(mode), prune: prune, purge: purge, ignore: ignore,
                                             ignoredInSource: Int(try r.int())))
        case 2: shape = .symlink(target: try r.string())
        case 3: shape = .service(try spec(ServiceSpec.self, try r.string()))
        case 4: shape = .command(try spec(CommandSpec.self, try r.string()))
        default: throw BinaryReader.Corrupt()
        }
        let dependsOn = try (0..<r.count()).map { _ in ResourceID(kind: try r.internedString(), name: try r.string()) }
        let validates = try r.bool()
        let words = try (0..<r.count()).map { _ in try r.internedString() }
        let validate = validates ? words : nil
        let user = try r.internedString(), group = try r.internedString()
        let ownership = Ownership(user: user.isEmpty ? nil : Principal(user), group: group.isEmpty ? nil : Principal(group))
        let cipher = try r.internedString()
        let encryption: Encryption?
        if cipher.isEmpty { encryption = nil } else if let known = Cipher(rawValue: cipher) { encryption = .declared(known) } else { throw BinaryReader.Corrupt() }
        return DesiredResource(id: id, path: path, shape: shape, sensitive: sensitive, origin: origin, owner: owner,
                               dependsOn: dependsOn, validate: validate, ownership: ownership, encryption: encryption)
    }

    private static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
    }

    private static func spec<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        do { return try JSONDecoder().decode(type, from: Data(text.utf8)) } catch { throw BinaryReader.Corrupt() }
    }

    // MARK: Branch history

    static func encode(_ history: BranchHistory) -> [UInt8] {
        var w = BinaryWriter()
        w.int(version)
        w.string(history.head)
        w.bool(history.complete)
        w.int(history.commits.count)
        for commit in history.commits {
            w.string(commit.sha)
            w.internedString(commit.author)
            w.int(Int64(commit.time.timeIntervalSince1970))
            w.string(commit.subject)
            w.optionalString(commit.rollbackOf)
            w.optionalString(commit.approvedBy)
            w.optionalString(commit.proposalHead)
        }
        return w.bytes
    }

    /// The history, or nil when it was read from another head.
    static func decodeBranchHistory(_ bytes: UnsafeRawBufferPointer, head: String) throws -> BranchHistory? {
        try BinaryReader.decode(bytes) { r in
            guard try r.int() == version, try r.string() == head else { return nil }
            let complete = try r.bool()
            let commits = try (0..<r.count()).map { _ in
                Commit(sha: try r.string(), author: try r.internedString(), time: Date(timeIntervalSince1970: TimeInterval(try r.int())),
                       subject: try r.string(), rollbackOf: try r.optionalString(), approvedBy: try r.optionalString(),
                       proposalHead: try r.optionalString())
            }
            return BranchHistory(head: head, commits: commits, complete: complete)
        }
    }

    // MARK: Stat cache

    static func encode(_ cache: [String: StatCacheEntry]) -> [UInt8] {
        var w = BinaryWriter()
        w.int(version)
        w.int(cache.count)
        for (path, entry) in cache {
            w.string(path)
            write(entry.stat, into: &w)
            w.string(entry.blob)
            w.int(entry.recorded)
        }
        return w.bytes
    }

    static func decodeStatCache(_ bytes: UnsafeRawBufferPointer) throws -> [String: StatCacheEntry] {
        try BinaryReader.decode(bytes) { r in try decodeStatCache(&r) }
    }

    private static func decodeStatCache(_ r: inout BinaryReader) throws -> [String: StatCacheEntry] {
        guard try r.int() == version else { throw BinaryReader.Corrupt() }
        let count = try r.count()
        var cache: [String: StatCacheEntry] = [:]
        cache.reserveCapacity(count)
        for _ in 0..<count {
            let path = try r.string()
            let stat = try readStat(&r)
            cache[path] = StatCacheEntry(stat: stat, blob: try r.string(), recorded: try r.int())
        }
        return cache
    }

    // MARK: Folder cache

    static func encode(_ folders: [String: FolderEntry], revision: String) -> [UInt8] {
        var w = BinaryWriter()
        w.int(version)
        w.string(revision)
        w.int(folders.count)
        for (path, entry) in folders {
            w.string(path)
            write(entry.stat.stat, into: &w)
            w.int(entry.stat.recorded)
            w.int(entry.subfolders.count)
            for name in entry.subfolders { w.string(name) }
        }
        return w.bytes
    }

    /// The folders, or none when they were listed for another revision.
    static func decodeFolders(_ bytes: UnsafeRawBufferPointer, revision: String) throws -> [String: FolderEntry] {
        try BinaryReader.decode(bytes) { r in try decodeFolders(&r, revision: revision) }
    }

    private static func decodeFolders(_ r: inout BinaryReader, revision: String) throws -> [String: FolderEntry] {
        guard try r.int() == version, try r.string() == revision else { return [:] }
        var folders: [String: FolderEntry] = [:]
        for _ in 0..<(try r.count()) {
            let path = try r.string()
            let stat = StatCacheEntry(stat: try readStat(&r), blob: "", recorded: try r.int())
            folders[path] = FolderEntry(stat: stat, subfolders: try (0..<r.count()).map { _ in try r.string() })
        }
        return folders
    }

    private static func write(_ stat: TargetFileSystem.Stat, into w: inout BinaryWriter) {
        w.int(Int(stat.type))
        w.int(Int(stat.mode))
        w.int(stat.size)
        w.int(stat.mtime)
        w.int(stat.ctime)
        w.int(Int64(bitPattern: stat.inode))
    }

    private static func readStat(_ r: inout BinaryReader) throws -> TargetFileSystem.Stat {
        TargetFileSystem.Stat(type: mode_t(try r.int()), mode: UInt32(try r.int()), size: Int(try r.int()),
                              mtime: try r.int(), ctime: try r.int(), inode: UInt64(bitPattern: try r.int()))
    }
}
