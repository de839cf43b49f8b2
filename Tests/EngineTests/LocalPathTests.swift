import Foundation
import Testing
import Engine

/// Paths an operator gives (`--target`, `PLUMB_STATE`) made absolute as written, the way URL's
/// standardizing made them: `.` and `..` taken out, never a symlink followed.
@Suite struct LocalPathTests {
    @Test(arguments: [
        ("/srv/app", "/srv/app"), ("/srv//app/", "/srv/app"), ("/srv/./app/.", "/srv/app"), ("/srv/old/../app", "/srv/app"),
        ("/", "/"), ("/..", "/"), ("/../../etc", "/etc"), ("/a b/ü\u{1}", "/a b/ü\u{1}"),
    ])
    func anAbsolutePathLosesOnlyDotsAndDoubledSlashes(_ given: String, _ expected: String) {
        #expect(LocalPath.absolute(given) == expected)
    }

    @Test func aRelativePathIsTakenFromTheWorkingDirectory() {
        let here = FileManager.default.currentDirectoryPath
        #expect(LocalPath.absolute("state") == (here == "/" ? "/state" : here + "/state"))
        #expect(LocalPath.absolute("./a/../b") == LocalPath.absolute("b"))
        #expect(LocalPath.absolute("") == LocalPath.absolute("."))
        for given in ["state", "../x/./y", "a//b/", ".", "/srv/old/../app", "/x/y/"] {
            #expect(LocalPath.absolute(given) == URL(fileURLWithPath: given).standardizedFileURL.path, "as URL gives \(given)")
        }
    }
}
