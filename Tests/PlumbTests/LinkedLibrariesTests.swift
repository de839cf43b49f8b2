import Foundation
import Testing
import TestSupport

/// What the dynamic loader must find and bind before plumb runs: SQLite, ncurses and the C++
/// runtime are linked in (Sources/plumb/StaticLibraries), 2 ms of every command when they were not.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/readelf"), "readelf (binutils) is not installed"))
struct LinkedLibrariesTests {
    @Test func plumbLoadsNoSQLiteNcursesOrCxxRuntimeOfTheSystem() throws {
        let dynamic = try run("/usr/bin/readelf", ["--dynamic", PlumbBinary.path])
        #expect(dynamic.status == 0, "\(dynamic.stderr)")
        // "0x0000000000000001 (NEEDED)  Shared library: [libc.so.6]"
        let needed = dynamic.stdout.split(separator: "\n").filter { $0.contains("(NEEDED)") }
            .compactMap { $0.split(separator: "[").last?.split(separator: "]").first.map(String.init) }
        #expect(needed.contains("libc.so.6"), "\(needed)")
        for library in ["libsqlite3", "libncursesw", "libtinfo", "libstdc++", "libgcc_s"] {
            #expect(!needed.contains { $0.hasPrefix(library + ".so") }, "\(library) is loaded at each start: \(needed)")
        }
    }
}
