import Foundation

/// The real `plumb` binary, built beside the test bundle.
public enum PlumbBinary {
    public static var path: String {
        if let override = ProcessInfo.processInfo.environment["PLUMB_BINARY"] { return override }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("plumb").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/plumb").path
    }
}

/// One source, one target, one state dir, and the binary to drive them.
public final class PlumbFixture: @unchecked Sendable {
    public let source: SourceRepository
    public let target: Scratch
    public let state: Scratch

    /// Its folders in the temporary directory, or in `parent`: a systemd machine's shared folder,
    /// for a plumb that runs inside it.
    public init(in parent: String = NSTemporaryDirectory()) throws {
        source = try SourceRepository(in: parent)
        target = try Scratch(in: parent)
        state = try Scratch(in: parent)
    }

    public var environment: [String: String] {
        ["PLUMB_REPO": source.bare, "PLUMB_TARGET": target.path, "PLUMB_STATE": state.path + "/state"]
    }

    /// The environment of an operator with a git identity of their own (Olga Operator), not the
    /// machine's: for commands that sign commits.
    public func operatorIdentity() throws -> [String: String] {
        let config = state.file("operator.gitconfig")
        try "[user]\n\tname = Olga Operator\n\temail = olga@example.com\n".write(toFile: config, atomically: true, encoding: .utf8)
        return ["GIT_CONFIG_GLOBAL": config, "GIT_CONFIG_NOSYSTEM": "1"]
    }

    /// Runs `plumb args...` against this fixture.
    @discardableResult
    public func plumb(_ arguments: String..., env: [String: String] = [:]) throws -> ProcessResult {
        try run(PlumbBinary.path, arguments, env: environment.merging(env) { _, new in new })
    }

    public func plumb(arguments: [String], env: [String: String] = [:]) throws -> ProcessResult {
        try run(PlumbBinary.path, arguments, env: environment.merging(env) { _, new in new })
    }

    /// The journal as `plumb events --json` prints it, one dictionary per event.
    public func journal() throws -> [[String: Any]] {
        try plumb("events", "--json").stdout.split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// The messages of the journalled events of one reason, oldest first.
    public func messages(of reason: String) throws -> [String] {
        try journal().filter { $0["reason"] as? String == reason }.compactMap { $0["message"] as? String }
    }

    /// One resource's row of `plumb status --json`, or nil when it is not listed.
    public func resource(_ id: String, env: [String: String] = [:]) throws -> [String: Any]? {
        Self.resource(id, in: try plumb(arguments: ["status", "--json"], env: env).stdout)
    }

    /// One resource's row in the output of `plumb status --json`.
    public static func resource(_ id: String, in json: String) -> [String: Any]? {
        let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return (object?["resources"] as? [[String: Any]])?.first { $0["id"] as? String == id }
    }

    /// Starts `plumb args...` without waiting for it: for agents, followers, and processes to kill.
    public func spawn(_ arguments: [String], stdout: Any = FileHandle.nullDevice, stderr: Any = FileHandle.nullDevice) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: PlumbBinary.path)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        return process
    }
}
