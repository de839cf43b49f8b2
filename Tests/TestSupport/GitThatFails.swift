import Foundation

/// A git that marks that it ran, and fails. Given as the git to run (`PLUMB_GIT`, a mirror's
/// `gitExecutable`), it says whether a step ran git at all.
public struct GitThatFails: Sendable {
    public let path: String
    private let mark: String

    public init(in scratch: Scratch) throws {
        mark = scratch.file("git-ran")
        path = scratch.file("failing-git")
        try scratch.write("failing-git", "#!/bin/sh\ntouch '\(mark)'\nexit 128\n", mode: 0o755)
    }

    /// Runs `body`, and says whether it ran this git.
    public func ran<T>(_ body: () async throws -> T) async rethrows -> (T, ran: Bool) {
        unlink(mark)
        let result = try await body()
        return (result, FileManager.default.fileExists(atPath: mark))
    }

    public func ran<T>(_ body: () throws -> T) rethrows -> (T, ran: Bool) {
        unlink(mark)
        let result = try body()
        return (result, FileManager.default.fileExists(atPath: mark))
    }
}
