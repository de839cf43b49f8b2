import CSystemCalls
import Foundation
import DesiredState
import VersionSource

/// A failure to touch the target, naming the path and the reason.
public struct TargetError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ path: String, _ what: String, errno code: Int32? = nil) {
        let reason = code.map { ": " + String(cString: strerror($0)) } ?? ""
        description = "\(path.escapingControlCharacters): \(what)\(reason)"
    }
}

/// The target directory, opened once and held: every path plumb reads or changes is resolved
/// beneath that descriptor by the kernel (`openat2` with `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`),
/// so no `..`, no symlink in any component and no swap of the root for a symlink while plumb
/// works can take a read or a write outside it. This type is the only way the engine touches
/// the target.
public final class TargetFileSystem: Sendable {
    /// The root as it was when opened: for messages and for watching, never for resolving.
    public let root: String
    /// The root's descriptor, held for this value's life.
    let rootFD: Int32

    public init(root: String) throws {
        let fd = Glibc.open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOTDIR { throw TargetError(root, "the target is not a directory") }
            throw TargetError(root, "the target does not exist", errno: code)
        }
        rootFD = fd
        self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    }

    deinit { close(rootFD) }

    // MARK: Resolving

    /// Opens `path` (relative to the root; "." is the root) beneath the held root descriptor,
    /// following no symlink anywhere; with `Self.O_PATH | O_NOFOLLOW` a symlink at the end is opened
    /// as itself. Returns the descriptor, or the errno: ELOOP for a symlink on the way, EXDEV
    /// for a path that would leave the root.
    func open(_ path: String, _ flags: Int32, mode: mode_t = 0) -> Opening {
        Self.open(path, flags, beneath: rootFD, mode: mode)
    }

    /// `open` relative to any directory descriptor plumb holds beneath the root.
    static func open(_ path: String, _ flags: Int32, beneath dir: Int32, mode: mode_t = 0) -> Opening {
        let resolve = UInt64(PLUMB_RESOLVE_BENEATH | PLUMB_RESOLVE_NO_SYMLINKS | PLUMB_RESOLVE_NO_MAGICLINKS)
        let fd = plumb_openat2(dir, path.isEmpty ? "." : path, UInt64(UInt32(bitPattern: flags | O_CLOEXEC)), UInt64(mode), resolve)
        return fd >= 0 ? .opened(fd) : .failed(errno)
    }

    /// A descriptor, or the errno of the failure.
    enum Opening { case opened(Int32), failed(Int32) }

    /// Linux's O_PATH, which Glibc's Swift module leaves out: a descriptor to look at, not to read.
    static let O_PATH: Int32 = 0o10_000_000

    /// Why `path` cannot be reached, for an error from `open`: names the component that is a
    /// symlink or not a directory (`etc: is a symlink; ...`), which the kernel's errno does not.
    func blocked(_ path: String, errno code: Int32) -> TargetError {
        if code == ELOOP || code == ENOTDIR {
            for ancestor in TargetPath.ancestors(of: path) + [path] {
                guard case .opened(let fd) = open(ancestor, Self.O_PATH | O_NOFOLLOW) else { break }
                defer { close(fd) }
                var info = stat()
                guard fstat(fd, &info) == 0 else { break }
                let type = info.st_mode & S_IFMT
                if type == S_IFLNK { return TargetError(ancestor, "is a symlink; plumb does not follow symlinks") }
                if type != S_IFDIR && ancestor != path { return TargetError(ancestor, "is not a directory") }
            }
        }
        if code == EXDEV { return TargetError(path, "leaves the target; plumb does not go there") }
        return TargetError(path, "cannot be reached", errno: code)
    }

    // MARK: Looking

    /// What lstat says of one path.
    public struct Stat: Sendable, Hashable {
        public let type: mode_t
        public let mode: UInt32
        public let size: Int
        public let mtime: Int64
        public let ctime: Int64
        public let inode: UInt64
        /// Not kept in caches: compared only for resources that declare `owner` or `group`.
        public var uid: UInt32 = 0
        public var gid: UInt32 = 0

        public init(type: mode_t, mode: UInt32, size: Int, mtime: Int64, ctime: Int64, inode: UInt64) {
            self.type = type; self.mode = mode; self.size = size; self.mtime = mtime; self.ctime = ctime; self.inode = inode
        }

        public init(_ s: stat) {
            type = s.st_mode & S_IFMT
            mode = UInt32(s.st_mode & 0o7777)
            size = Int(s.st_size)
            mtime = Int64(s.st_mtim.tv_sec) * 1_000_000_000 + Int64(s.st_mtim.tv_nsec)
            ctime = Int64(s.st_ctim.tv_sec) * 1_000_000_000 + Int64(s.st_ctim.tv_nsec)
            inode = UInt64(s.st_ino)
            uid = s.st_uid
            gid = s.st_gid
        }
    }

    /// lstat of a path beneath the root: nil when absent, an error when it cannot be looked at
    /// (a symlink or a file on the way is such an error: plumb looks through neither).
    public func lstat(_ path: String) -> Result<Stat?, TargetError> {
        switch open(path, Self.O_PATH | O_NOFOLLOW) {
        case .opened(let fd):
            defer { close(fd) }
            var info = stat()
            guard fstat(fd, &info) == 0 else { return .failure(TargetError(path, "cannot look at it", errno: errno)) }
            return .success(Stat(info))
        case .failed(ENOENT):
            return .success(nil)
        case .failed(let code):
            return .failure(blocked(path, errno: code))
        }
    }

    /// Opens the directory at `path` for reading: nil when it is absent.
    func openDirectory(_ path: String) throws -> Int32? {
        switch open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) {
        case .opened(let fd): return fd
        case .failed(ENOENT): return nil
        case .failed(let code): throw blocked(path, errno: code)
        }
    }

    /// The blob id of a regular file's content, read in chunks from an open descriptor.
    static func blobID(ofOpenFile fd: Int32, path: String) throws -> String {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw TargetError(path, "is not a regular file") }
        var hasher = BlobHasher(size: Int(info.st_size))
        var remaining = Int(info.st_size)
        try withUnsafeTemporaryAllocation(byteCount: 1 << 16, alignment: 16) { buffer in
            while remaining > 0 {
                let n = read(fd, buffer.baseAddress, min(buffer.count, remaining))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw TargetError(path, "changed while it was read", errno: n < 0 ? errno : nil) }
                hasher.update(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
                remaining -= n
            }
        }
        return hasher.finish()
    }

    /// A regular file's bytes, opened beneath the root without following any symlink.
    public func readFile(_ path: String) throws -> [UInt8] {
        let fd: Int32
        switch open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK) {
        case .opened(let opened): fd = opened
        case .failed(let code): throw code == ENOENT ? TargetError(path, "cannot read it", errno: code) : blocked(path, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { throw TargetError(path, "is not a regular file") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw TargetError(path, "cannot read it", errno: errno) }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }

    /// The text of the symlink at `path`, read through a descriptor of the link itself.
    public func readLink(_ path: String) throws -> String {
        let fd: Int32
        switch open(path, Self.O_PATH | O_NOFOLLOW) {
        case .opened(let opened): fd = opened
        case .failed(let code): throw blocked(path, errno: code)
        }
        defer { close(fd) }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let n = readlinkat(fd, "", &buffer, buffer.count - 1)
        guard n >= 0 else { throw TargetError(path, "cannot read the link", errno: errno) }
        return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    // MARK: Changing

    /// Opens the directory that holds `path` beneath the root, creating missing ones (0755) when
    /// asked, and passes its descriptor with the last component.
    func withParent<T>(of path: String, create: Bool, _ body: (Int32, String) throws -> T) throws -> T {
        let (dir, name) = try openParent(of: path, create: create)
        defer { close(dir) }
        return try body(dir, name)
    }

    /// The descriptor of the directory that holds `path` (the caller closes it), and the last component.
    private func openParent(of path: String, create: Bool) throws -> (Int32, String) {
        let components = path.split(separator: "/").map(String.init)
        let parent = components.dropLast().joined(separator: "/")
        switch open(parent, O_RDONLY | O_DIRECTORY | O_NOFOLLOW) {
        case .opened(let fd): return (fd, components.last ?? "")
        case .failed(ENOENT) where create: return (try makeParents(components.dropLast()), components.last ?? "")
        case .failed(let code): throw blocked(path, errno: code)
        }
    }

    /// Opens the folders of `components` one at a time, each beneath the last, making the missing ones.
    private func makeParents(_ components: ArraySlice<String>) throws -> Int32 {
        var dir = dup(rootFD)
        for (index, component) in components.enumerated() {
            let place = components.prefix(index + 1).joined(separator: "/")
            if mkdirat(dir, component, 0o755) != 0 && errno != EEXIST {
                let code = errno
                close(dir)
                throw TargetError(place, "cannot create the directory", errno: code)
            }
            let next = Self.open(component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, beneath: dir)
            close(dir)
            switch next {
            case .opened(let fd): dir = fd
            case .failed(let code): throw blocked(place, errno: code)
            }
        }
        return dir
    }

    /// The name new content for `name` is staged under before it is renamed into place: the
    /// reserved prefix (manifests may not use it, scans never report it) and 16 hex digits of a
    /// hash of the name, so it stays short for the longest legal names (255 bytes).
    static func stagingName(for name: String) -> String {
        TargetPath.reservedPrefix + BlobHasher.id(of: Array(name.utf8)).prefix(16)
    }

    /// Creates something under the staging name of `name` (`make` returns false when the name is
    /// taken), then passes that name on. The name is fixed per target name and reserved, so what
    /// is found there is plumb's own, left by a plumb killed between naming and renaming: it is
    /// removed and made again, and a crash never leaves more than one per file.
    private static func staged(for name: String, in dir: Int32, _ make: (String) throws -> Bool) throws -> String {
        let staging = stagingName(for: name)
        if try make(staging) { return staging }
        unlinkat(dir, staging, 0)
        if try make(staging) { return staging }
        throw TargetError(staging, "is in the way and cannot be removed", errno: errno)
    }

    /// Writes a file atomically: new content in a file of its own, fsync, rename over the path,
    /// fsync of the directory. A hard link at the path is replaced, never written through.
    public func writeFile(_ path: String, bytes: [UInt8], mode: UInt32) throws {
        try stage(path, bytes: bytes, mode: mode).commit()
    }

    /// New content for `path`, written, flushed and given its mode beside it under its staging
    /// name, not yet in place: `commit` renames it over the path; dropped uncommitted, it is
    /// removed. The file is made nameless (`O_TMPFILE`) and named only once it is whole, so a
    /// plumb killed while writing leaves nothing behind.
    public func stage(_ path: String, bytes: [UInt8], mode: UInt32) throws -> StagedFile {
        let (dir, name) = try openParent(of: path, create: true)
        var staging: String?
        do {
            var fd = openat(dir, ".", Self.O_TMPFILE | O_WRONLY | O_CLOEXEC, 0o600)
            if fd < 0 {
                // A filesystem without O_TMPFILE: a named staging file from the start.
                staging = try Self.staged(for: name, in: dir) { candidate in
                    fd = openat(dir, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                    if fd < 0 && errno == EEXIST { return false }
                    guard fd >= 0 else { throw TargetError(path, "cannot create a file beside it", errno: errno) }
                    return true
                }
            }
            defer { close(fd) }
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw TargetError(path, "cannot write it", errno: errno) }
                offset += n
            }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw TargetError(path, "cannot set its mode", errno: errno) }
            guard fsync(fd) == 0 else { throw TargetError(path, "cannot flush it to disk", errno: errno) }
            if staging == nil {
                staging = try Self.staged(for: name, in: dir) { candidate in
                    if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", dir, candidate, AT_SYMLINK_FOLLOW) == 0 { return true }
                    if errno == EEXIST { return false }
                    if linkat(fd, "", dir, candidate, 0x1000 /* AT_EMPTY_PATH: without /proc, with CAP_DAC_READ_SEARCH */) == 0 { return true }
                    throw TargetError(path, "cannot name the new content", errno: errno)
                }
            }
        } catch {
            if let staging { unlinkat(dir, staging, 0) }
            close(dir)
            throw error
        }
        let folder = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[..<$0]) + "/" } ?? ""
        return StagedFile(path: path, dir: dir, name: name, staging: staging!, absolutePath: root + "/" + folder + staging!)
    }

    /// Linux's O_TMPFILE (with the O_DIRECTORY it includes), which Glibc's Swift module leaves out.
    static let O_TMPFILE: Int32 = 0o20_000_000 | O_DIRECTORY

    /// What is found where a mode is to be set in place.
    public enum InPlace: Sendable { case set, hardLinked }

    /// Sets the permission bits of a file or directory, never through a symlink, and never on a
    /// file with another name elsewhere (a hard link): that is left as it is and reported, so
    /// that the caller replaces it instead.
    @discardableResult
    public func setMode(_ path: String, mode: UInt32, directory: Bool) throws -> InPlace {
        let fd: Int32
        switch open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | (directory ? O_DIRECTORY : 0)) {
        case .opened(let opened): fd = opened
        case .failed(let code): throw blocked(path, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TargetError(path, "cannot look at it", errno: errno) }
        let type = info.st_mode & S_IFMT
        guard type == (directory ? S_IFDIR : S_IFREG) else { throw TargetError(path, "changed while plumb worked on it") }
        if !directory && info.st_nlink > 1 { return .hardLinked }
        guard fchmod(fd, mode_t(mode)) == 0 else { throw TargetError(path, "cannot set its mode", errno: errno) }
        return .set
    }

    /// Sets the owner and group (nil: left as they are) of a file, directory or symlink itself,
    /// never of what a symlink points to, and never of a file with another name elsewhere.
    @discardableResult
    public func setOwner(_ path: String, user: UInt32?, group: UInt32?) throws -> InPlace {
        let fd: Int32
        switch open(path, Self.O_PATH | O_NOFOLLOW) {
        case .opened(let opened): fd = opened
        case .failed(let code): throw blocked(path, errno: code)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw TargetError(path, "cannot look at it", errno: errno) }
        if info.st_mode & S_IFMT == S_IFREG && info.st_nlink > 1 { return .hardLinked }
        let unchanged = UInt32.max
        guard fchownat(fd, "", user ?? unchanged, group ?? unchanged, 0x1000 /* AT_EMPTY_PATH */ | AT_SYMLINK_NOFOLLOW) == 0 else {
            throw TargetError(path, "cannot set its owner", errno: errno)
        }
        return .set
    }

    public func makeDirectory(_ path: String, mode: UInt32) throws {
        try withParent(of: path, create: true) { dir, name in
            guard mkdirat(dir, name, 0o700) == 0 else { throw TargetError(path, "cannot create the directory", errno: errno) }
        }
        try setMode(path, mode: mode, directory: true)
    }

    /// Makes or replaces a symlink atomically: a staging link renamed over the path.
    public func makeSymlink(_ path: String, target: String) throws {
        try withParent(of: path, create: true) { dir, name in
            let staging = try Self.staged(for: name, in: dir) { candidate in
                if symlinkat(target, dir, candidate) == 0 { return true }
                if errno == EEXIST { return false }
                throw TargetError(path, "cannot create the symlink", errno: errno)
            }
            guard renameat(dir, staging, dir, name) == 0 else {
                let code = errno
                unlinkat(dir, staging, 0)
                throw TargetError(path, "cannot move the symlink into place", errno: code)
            }
            fsync(dir)
        }
    }

    /// Renames a file or symlink to a staging name beside it, so that what is read next is
    /// exactly what is removed after: nobody writes to the path meanwhile. Returns where it went.
    public func moveAside(_ path: String) throws -> String {
        try withParent(of: path, create: false) { dir, name in
            let aside = Self.stagingName(for: name + "/aside")
            guard renameat(dir, name, dir, aside) == 0 else { throw TargetError(path, "cannot move it aside", errno: errno) }
            let folder = path.utf8.lastIndex(of: UInt8(ascii: "/")).map { String(path[..<$0]) + "/" } ?? ""
            return folder + aside
        }
    }

    /// Puts back what `moveAside` moved, unless something new took the path meanwhile.
    public func putBack(_ aside: String, to path: String) {
        try? withParent(of: path, create: false) { dir, name in
            let asideName = aside.split(separator: "/").last.map(String.init) ?? aside
            _ = plumb_renameat2(dir, asideName, dir, name, 1 /* RENAME_NOREPLACE */)
        }
    }

    /// Removes a file or symlink, or an empty directory.
    public func remove(_ path: String, directory: Bool) throws {
        try withParent(of: path, create: false) { dir, name in
            guard unlinkat(dir, name, directory ? AT_REMOVEDIR : 0) == 0 else {
                let code = errno
                if code == ENOTEMPTY || code == EEXIST { throw TargetError(path, "is a directory that is not empty") }
                throw TargetError(path, "cannot remove it", errno: code)
            }
            fsync(dir)
        }
    }
}

/// New content beside its path, whole and flushed, waiting to be renamed into place (after a
/// `validate` command has read it at `absolutePath`). Dropped without `commit`, it is removed.
public final class StagedFile {
    public let path: String
    /// Where a command finds it: the target root's path, the folder, the staging name.
    public let absolutePath: String
    private let dir: Int32
    private let name: String
    private let staging: String
    private var committed = false

    init(path: String, dir: Int32, name: String, staging: String, absolutePath: String) {
        self.path = path
        self.dir = dir
        self.name = name
        self.staging = staging
        self.absolutePath = absolutePath
    }

    /// Renames the new content over the path and flushes the folder.
    public func commit() throws {
        guard renameat(dir, staging, dir, name) == 0 else { throw TargetError(path, "cannot move the new content into place", errno: errno) }
        committed = true
        fsync(dir)
    }

    deinit {
        if !committed { unlinkat(dir, staging, 0) }
        close(dir)
    }
}
