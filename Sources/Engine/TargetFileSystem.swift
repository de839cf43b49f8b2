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

/// The target directory. Every change goes through directory descriptors opened from the root one
/// component at a time with `O_NOFOLLOW`, so nothing is ever written through a symlink or outside
/// the root; reads check each parent once per scan for the same reason.
public struct TargetFileSystem: Sendable {
    public let root: String

    public init(root: String) throws {
        var info = stat()
        guard stat(root, &info) == 0 else { throw TargetError(root, "the target does not exist", errno: errno) }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw TargetError(root, "the target is not a directory") }
        self.root = URL(fileURLWithPath: root).resolvingSymlinksInPath().path
    }

    public func absolute(_ path: String) -> String { root + "/" + path }

    // MARK: Looking

    /// What lstat says of one path, parents assumed checked.
    public struct Stat: Sendable, Hashable {
        public let type: mode_t
        public let mode: UInt32
        public let size: Int
        public let mtime: Int64
        public let ctime: Int64
        public let inode: UInt64

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
        }
    }

    /// lstat of a path relative to the root: nil when absent, an error when it cannot be looked at.
    public func lstat(_ path: String) -> Result<Stat?, TargetError> {
        var info = stat()
        if Glibc.lstat(absolute(path), &info) == 0 { return .success(Stat(info)) }
        let code = errno
        if code == ENOENT || code == ENOTDIR { return .success(nil) }
        return .failure(TargetError(path, "cannot look at it", errno: code))
    }

    /// Why a parent of `path` stops plumb from looking at it, or nil when every parent is a real
    /// directory or absent. `checked` remembers parents across one scan.
    public func blockingParent(of path: String, checked: inout [String: String?]) -> String? {
        for ancestor in TargetPath.ancestors(of: path) {
            let verdict: String?
            if let known = checked[ancestor] {
                verdict = known
            } else {
                switch lstat(ancestor) {
                case .success(nil): verdict = nil
                case .success(let info?) where info.type == S_IFDIR: verdict = nil
                case .success(let info?) where info.type == S_IFLNK: verdict = "\(ancestor) is a symlink; plumb does not follow symlinks"
                case .success: verdict = "\(ancestor) is not a directory"
                case .failure(let error): verdict = error.description
                }
                checked[ancestor] = verdict
            }
            if let verdict { return verdict }
        }
        return nil
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

    /// A file's bytes, opened beneath the root without following any symlink.
    public func readFile(_ path: String) throws -> [UInt8] {
        try withParent(of: path, create: false) { dir, name in
            let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw TargetError(path, "cannot read it", errno: errno) }
            defer { close(fd) }
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
    }

    public func readLink(_ path: String) throws -> String {
        try withParent(of: path, create: false) { dir, name in
            var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlinkat(dir, name, &buffer, buffer.count - 1)
            guard n >= 0 else { throw TargetError(path, "cannot read the link", errno: errno) }
            return String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: Changing

    /// Opens the directory that holds `path`, one component at a time from the root with
    /// `O_NOFOLLOW`, creating missing ones when asked, and passes it with the last component.
    func withParent<T>(of path: String, create: Bool, _ body: (Int32, String) throws -> T) throws -> T {
        var dir = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dir >= 0 else { throw TargetError(root, "cannot open the target", errno: errno) }
        defer { close(dir) }
        let components = path.split(separator: "/").map(String.init)
        for (index, component) in components.dropLast().enumerated() {
            var next = openat(dir, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT && create {
                guard mkdirat(dir, component, 0o755) == 0 || errno == EEXIST else {
                    throw TargetError(components[...index].joined(separator: "/"), "cannot create the directory", errno: errno)
                }
                next = openat(dir, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            guard next >= 0 else {
                let code = errno
                let place = components[...index].joined(separator: "/")
                // O_DIRECTORY|O_NOFOLLOW refuses a symlink with ENOTDIR on Linux: look again to say which.
                var info = stat()
                if fstatat(dir, component, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFLNK {
                    throw TargetError(place, "is a symlink; plumb does not write through symlinks")
                }
                if code == ENOTDIR { throw TargetError(place, "is not a directory") }
                throw TargetError(place, "cannot open the directory", errno: code)
            }
            close(dir)
            dir = next
        }
        return try body(dir, components.last ?? "")
    }

    /// The name a new file is written under before it is renamed into place; fixed per name, so a
    /// crash leaves at most one and the next write reuses it.
    static func stagingName(for name: String) -> String {
        "." + String(name.utf8.count > 200 ? String(name.prefix(100)) : name) + ".plumb-tmp"
    }

    /// Writes a file atomically: a staging file, fsync, rename, fsync of the directory.
    public func writeFile(_ path: String, bytes: [UInt8], mode: UInt32) throws {
        try withParent(of: path, create: true) { dir, name in
            let staging = Self.stagingName(for: name)
            unlinkat(dir, staging, 0)
            let fd = openat(dir, staging, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw TargetError(path, "cannot create a file beside it", errno: errno) }
            var ok = false
            defer { if !ok { unlinkat(dir, staging, 0) } }
            do {
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
            }
            guard renameat(dir, staging, dir, name) == 0 else { throw TargetError(path, "cannot move the new content into place", errno: errno) }
            ok = true
            fsync(dir)
        }
    }

    /// Sets the permission bits of a file or directory, never through a symlink.
    public func setMode(_ path: String, mode: UInt32) throws {
        try withParent(of: path, create: false) { dir, name in
            let fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
            guard fd >= 0 else { throw TargetError(path, "cannot open it to set its mode", errno: errno) }
            defer { close(fd) }
            guard fchmod(fd, mode_t(mode)) == 0 else { throw TargetError(path, "cannot set its mode", errno: errno) }
        }
    }

    public func makeDirectory(_ path: String, mode: UInt32) throws {
        try withParent(of: path, create: true) { dir, name in
            guard mkdirat(dir, name, 0o700) == 0 else { throw TargetError(path, "cannot create the directory", errno: errno) }
        }
        try setMode(path, mode: mode)
    }

    /// Makes or replaces a symlink atomically: a staging link renamed over the path.
    public func makeSymlink(_ path: String, target: String) throws {
        try withParent(of: path, create: true) { dir, name in
            let staging = Self.stagingName(for: name)
            unlinkat(dir, staging, 0)
            guard symlinkat(target, dir, staging) == 0 else { throw TargetError(path, "cannot create the symlink", errno: errno) }
            guard renameat(dir, staging, dir, name) == 0 else {
                let code = errno
                unlinkat(dir, staging, 0)
                throw TargetError(path, "cannot move the symlink into place", errno: code)
            }
            fsync(dir)
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
