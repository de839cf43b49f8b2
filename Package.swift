// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "plumb",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "plumb", targets: ["plumb"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.0.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
    ],
    targets: [
        // Running other programs: no shell, a timeout, a process group, and death with plumb.
        .target(
            name: "ChildProcess",
            dependencies: [
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // C calls Swift cannot make: openat2 through the variadic syscall, SQLite's variadic db_config, mallopt.
        .target(name: "CSystemCalls", linkerSettings: [.linkedLibrary("sqlite3")]),
        // The version source: git through its command line, a bare mirror, trees and blobs.
        .target(
            name: "VersionSource",
            dependencies: [
                "ChildProcess",
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "SystemPackage", package: "swift-system"),
            ]
        ),
        // The desired-state model: manifests, their validation, the resources they declare, and
        // the templates they render for a host.
        .target(
            name: "DesiredState",
            dependencies: ["VersionSource", "ChildProcess", "Yams", .product(name: "Mustache", package: "swift-mustache")]
        ),
        // The engine: observe the target, compute status, apply, journal.
        .target(
            name: "Engine",
            dependencies: [
                "VersionSource", "DesiredState", "ChildProcess", "CSystemCalls",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The console's pure core: state, update, views painting into a cell buffer, themes.
        // No terminal here: every screen is testable as text.
        .target(
            name: "Console",
            dependencies: ["Engine", "VersionSource", "DesiredState", "Yams"]
        ),
        // Themes on disk: the user's directory, a file by name or path, the listing.
        .target(name: "ThemeFiles", dependencies: ["Console", "DesiredState", "VersionSource"]),
        // ncursesw, seen from Swift through a small shim header. No pkg-config: the -L it brings
        // would put the system's shared libraries ahead of plumb's StaticLibraries.
        .systemLibrary(name: "CNcurses", providers: [.apt(["libncurses-dev"])]),
        // The command line: commands, their options and arguments, help, and the mistakes named.
        .target(name: "ArgumentParsing"),
        // The terminal backend: the only code that imports ncurses.
        .target(name: "TerminalBackend", dependencies: ["CNcurses", "Console"]),
        // The `plumb` command, with SQLite, ncurses, the C++ runtime and its unwinder linked in rather
        // than loaded and bound at each start (2 ms of every command; see StaticLibraries), and
        // none of its 16,800 symbols exported: the static standard library's link line asks for
        // `-export-dynamic`, and the loader then binds them and the runtime's `dladdr` scans them
        // at every start (0.5 ms of `plumb --version`).
        .executableTarget(
            name: "plumb",
            dependencies: [
                "ArgumentParsing", "Engine", "VersionSource", "DesiredState", "Console", "ThemeFiles", "TerminalBackend", "ChildProcess", "CSystemCalls",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["StaticLibraries"],
            linkerSettings: [
                .unsafeFlags(["-L", Context.packageDirectory + "/Sources/plumb/StaticLibraries", "-Xclang-linker", "-static-libgcc", "-Xlinker", "--no-export-dynamic"]),
            ]
        ),
        // Times the console's render path: state to cell buffer to the changes drawn. Not a test.
        .executableTarget(name: "plumb-render-benchmark", dependencies: ["Console", "Engine", "DesiredState", "VersionSource"], path: "Benchmarks/RenderBenchmark"),
        // The parsers of outside input as fuzz targets, and the libFuzzer entry (`Fuzz/run`).
        .target(name: "FuzzTargets", dependencies: ["DesiredState", "VersionSource", "Console"], path: "Fuzz/Targets"),
        .executableTarget(name: "plumb-fuzz", dependencies: ["FuzzTargets"], path: "Fuzz/Entry"),
        .target(name: "TestSupport", dependencies: ["VersionSource"], path: "Tests/TestSupport"),
        .testTarget(name: "DesiredStateTests", dependencies: ["DesiredState", "TestSupport"]),
        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "ThemeFiles", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "ArgumentParsingTests", dependencies: ["ArgumentParsing"]),
        .testTarget(name: "PlumbTests", dependencies: ["plumb", "TestSupport"]),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets"]),
    ]
)
