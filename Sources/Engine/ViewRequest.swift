import Foundation

/// `plumb status` or `plumb diff` asked of the running agent (`AgentSocket`): the agent answers
/// with the output the command would print, made from the view it holds, so the command neither
/// opens the store nor observes the target. The agent answers only for its own source, target
/// and host: any other request is declined, and the command then observes by itself.
public struct ViewRequest: Codable, Sendable {
    public enum Command: Codable, Sendable {
        case status(all: Bool, json: Bool)
        /// The resource ids asked for, as given; none: every resource not Synced.
        case diff(ids: [String])
    }

    /// What the answer must be made for: the asking command's configuration.
    public let identity: EngineConfig.Identity
    public let command: Command
    /// Whether the output is coloured (the asking terminal's choice).
    public let paint: Bool
    /// Whether the source is fetched first, as the command does by itself.
    public let fetch: Bool

    public init(identity: EngineConfig.Identity, command: Command, paint: Bool, fetch: Bool) {
        (self.identity, self.command, self.paint, self.fetch) = (identity, command, paint, fetch)
    }

    public var bytes: [UInt8] { Array((try? JSONEncoder().encode(self)) ?? Data()) }

    public init?(bytes: [UInt8]) {
        guard let request = try? JSONDecoder().decode(Self.self, from: Data(bytes)) else { return nil }
        self = request
    }
}

/// The agent's answer to a `ViewRequest`.
public enum ViewReply: Sendable, Equatable {
    /// What the command prints on standard output and standard error, and its exit status.
    case answered(stdout: String, stderr: String, exitCode: Int32)
    /// Why the agent does not answer; the command observes by itself.
    case declined(String)

    public var bytes: [UInt8] {
        var writer = BinaryWriter()
        switch self {
        case .answered(let stdout, let stderr, let exitCode):
            writer.bool(true)
            writer.int(Int(exitCode))
            writer.string(stdout)
            writer.string(stderr)
        case .declined(let why):
            writer.bool(false)
            writer.string(why)
        }
        return writer.bytes
    }

    public init?(bytes: [UInt8]) {
        let reply = try? bytes.withUnsafeBytes { raw in
            try BinaryReader.decode(raw) { r -> ViewReply in
                guard try r.bool() else { return .declined(try r.string()) }
                let exitCode = Int32(clamping: try r.int())
                return .answered(stdout: try r.string(), stderr: try r.string(), exitCode: exitCode)
            }
        }
        guard let reply else { return nil }
        self = reply
    }
}

extension EngineConfig {
    /// What makes two configurations observe the same thing the same way.
    public struct Identity: Codable, Sendable, Equatable {
        let url, branch, path, target, host: String
        let trust, ageIdentity: String?
    }

    public var identity: Identity {
        Identity(url: source.url, branch: source.branch, path: source.path, target: target, host: host,
                 trust: trust?.description, ageIdentity: ageIdentity)
    }
}
