import Foundation

/// A new folder under the temporary directory (`$TMPDIR`), named `<prefix>-XXXXXX`, readable by
/// its owner only (mkdtemp makes it 0700).
public func temporaryFolder(_ prefix: String) throws -> String {
    var template = Array((FileManager.default.temporaryDirectory.path + "/\(prefix)-XXXXXX").utf8CString)
    guard let made = mkdtemp(&template) else {
        throw StateError("cannot make a temporary folder: \(String(cString: strerror(errno)))")
    }
    return String(cString: made)
}
