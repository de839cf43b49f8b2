import Foundation
import Subprocess
import SystemPackage

/// A failure of git, worded for the operator: what plumb tried and what git said.
public struct GitError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What one run of git produced.
public struct GitOutput: Sendable {
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: String
    public var text: String { String(decoding: stdout, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
    /// git's own last line of complaint, for error messages.
    public var complaint: String {
        let lines = stderr.split(whereSeparator: \.isNewline).map(String.init)
        return lines.last(where: { $0.hasPrefix("fatal:") || $0.hasPrefix("error:") }) ?? lines.last ?? "exit status \(status)"
    }
}

/// Runs git through its command line: never a shell, never a prompt, machine formats only.
///
/// `PLUMB_GIT` names another executable to run instead of `git`: the seam tests use to make git fail.
public struct Git: Sendable {
    public let executable: String
    /// The repository git works on (`--git-dir`), or nil for commands that take none.
    public let gitDir: String?

    /// Where `executable` was found, or nil when it was not.
    let resolvedPath: String?

    public init(gitDir: String? = nil, executable: String? = nil) {
        self.gitDir = gitDir
        self.executable = executable ?? ProcessInfo.processInfo.environment["PLUMB_GIT"] ?? "git"
        resolvedPath = Self.resolve(self.executable)
    }

    /// Runs `git args...`; a non-zero exit is a result, not an error. The output is read to its
    /// end without a limit: swift-subprocess reserves a limit's whole size up front, which was a
    /// gigabyte of address space for every run.
    public func run(_ arguments: [String], input: [UInt8]? = nil) async throws -> GitOutput {
        let (resolved, args) = try prepare(arguments)
        do {
            let result: ExecutionResult<Void, BytesOutput, StringOutput<UTF8>>
            if let input {
                result = try await Subprocess.run(
                    .path(FilePath(resolved)), arguments: Arguments(args), environment: Self.environment,
                    input: .array(input), output: .bytes(limit: .max), error: .string(limit: 1 << 20))
            } else {
                result = try await Subprocess.run(
                    .path(FilePath(resolved)), arguments: Arguments(args), environment: Self.environment,
                    input: .none, output: .bytes(limit: .max), error: .string(limit: 1 << 20))
            }
            return GitOutput(status: Self.status(result.terminationStatus), stdout: result.standardOutput, stderr: result.standardError)
        } catch {
            throw GitError("running \(resolved) failed: \(error)")
        }
    }

    /// Runs `git args...` and hands its output to `consume` as it comes, so that a long output
    /// (a whole history) is never held at once. The result's `stdout` is empty.
    public func stream(_ arguments: [String], consume: ([UInt8]) throws -> Void) async throws -> GitOutput {
        let (resolved, args) = try prepare(arguments)
        let result: ExecutionResult<Void, SequenceOutput, StringOutput<UTF8>>
        do {
            result = try await Subprocess.run(
                .path(FilePath(resolved)), arguments: Arguments(args), environment: Self.environment,
                input: .none, output: .sequence, error: .string(limit: 1 << 20)) { execution in
                for try await chunk in execution.standardOutput {
                    try chunk.withUnsafeBytes { try consume(Array($0)) }
                }
            }
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError("running \(resolved) failed: \(error)")
        }
        return GitOutput(status: Self.status(result.terminationStatus), stdout: [], stderr: result.standardError)
    }

    /// No prompt, no optional locks, messages in English for the error texts plumb reads.
    static let environment: Environment = .inherit.updating([
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_OPTIONAL_LOCKS": "0",
        "GIT_ASKPASS": "",
        "SSH_ASKPASS": "",
        "LC_ALL": "C",
    ])

    /// The executable to run and its whole argument list.
    private func prepare(_ arguments: [String]) throws -> (String, [String]) {
        guard let resolved = resolvedPath else {
            throw GitError("git was not found (looked for `\(executable)`\(executable.contains("/") ? "" : " on PATH")); install git 2.38 or later")
        }
        return (resolved, (gitDir.map { ["--git-dir", $0] } ?? []) + arguments)
    }

    private static func status(_ termination: TerminationStatus) -> Int32 {
        switch termination {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }

    /// The executable's absolute path: found once on PATH here, because trying each PATH entry
    /// with a fork and exec of its own costs several milliseconds per entry on every run.
    static func resolve(_ executable: String) -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { "\($0)/\(executable)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Runs git and returns its standard output, or throws with git's complaint on a non-zero exit.
    @discardableResult
    public func output(_ arguments: [String], input: [UInt8]? = nil, what: String) async throws -> GitOutput {
        let out = try await run(arguments, input: input)
        guard out.succeeded else { throw GitError("\(what) failed: \(out.complaint)") }
        return out
    }
}
