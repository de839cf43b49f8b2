import Engine
import Foundation

/// A folder for `demo` or `init` to fill, as an absolute path: made when missing, refused when it
/// holds anything, so that what they write is never mixed with what was there.
func newFolder(_ dir: String, for command: String) throws -> String {
    let path = LocalPath.absolute(dir)
    var isDirectory: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
        guard isDirectory.boolValue else { throw StateError("\(path) is a file; plumb \(command) needs a new or empty folder") }
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        guard entries.isEmpty else {
            let some = entries.sorted().prefix(3).joined(separator: ", ") + (entries.count > 3 ? ", ..." : "")
            throw StateError("\(path) is not empty (it holds \(some)); plumb \(command) writes only into a new or empty folder: remove it or name another")
        }
    }
    do {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
        throw StateError("cannot make the folder \(path): \(error.systemReason)")
    }
    return path
}

/// Writes `text` to `file` whole (a temporary file renamed into place), making its folders first.
func writeFile(_ text: String, to file: String) throws {
    try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(text.utf8).write(to: URL(fileURLWithPath: file), options: .atomic)
}
