import Foundation

/// A fresh temporary directory, removed when the value is released.
public final class Scratch: @unchecked Sendable {
    public let path: String

    /// A new folder in the temporary directory, or in `parent` (a systemd machine's shared folder).
    public init(in parent: String = NSTemporaryDirectory()) throws {
        try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        var template = Array((parent + "/plumb-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw SetupError("mkdtemp failed") }
        path = URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    public func file(_ relative: String) -> String { path + "/" + relative }

    /// Writes a file, creating its parent directories.
    public func write(_ relative: String, _ content: String, mode: Int? = nil) throws {
        try writeFile(file(relative), content, mode: mode)
    }

    /// Writes new content of the same size and puts the old access and modification times back,
    /// as a racy edit does: only the ctime tells. Returns the stat from before and after.
    @discardableResult
    public func writeKeepingTimes(_ relative: String, _ content: String) throws -> (before: stat, after: stat) {
        var before = stat(), after = stat()
        lstat(file(relative), &before)
        try write(relative, content)
        var times = [before.st_atim, before.st_mtim]
        utimensat(AT_FDCWD, file(relative), &times, AT_SYMLINK_NOFOLLOW)
        lstat(file(relative), &after)
        return (before, after)
    }

    public func read(_ relative: String) -> String? { try? String(contentsOfFile: file(relative), encoding: .utf8) }

    public func exists(_ relative: String) -> Bool {
        var info = stat()
        return lstat(file(relative), &info) == 0
    }

    public func mode(_ relative: String) -> Int? {
        var info = stat()
        return lstat(file(relative), &info) == 0 ? Int(info.st_mode & 0o7777) : nil
    }
}

/// Sets a file's or folder's times an hour back: out of plumb's racy window, as if written long ago.
public func age(_ path: String) {
    var times = [timespec(tv_sec: time(nil) - 3600, tv_nsec: 0), timespec(tv_sec: time(nil) - 3600, tv_nsec: 0)]
    utimensat(AT_FDCWD, path, &times, AT_SYMLINK_NOFOLLOW)
}

public func writeFile(_ path: String, _ content: String, mode: Int? = nil) throws {
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try content.write(toFile: path, atomically: false, encoding: .utf8)
    if let mode { chmod(path, mode_t(mode)) }
}
