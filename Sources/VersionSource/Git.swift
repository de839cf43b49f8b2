@_exported import struct ChildProcess.ChildOutput
import ChildProcess
import Foundation
import Subprocess

/// A failure of git, worded for the operator: what plumb tried and what git said.
public struct GitError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What one run of git produced.
public typealias GitOutput = ChildOutput

extension ChildOutput {
    public var text: String { String(decoding: stdout, as: UTF8.self) }
    public var succeeded: Bool { status == 0 }
    /// git's own complaint for error messages: every `error:` and `fatal:` line, the remote
    /// side's (`remote: error: refusing to update checked out branch`) and a push's rejected refs
    /// (`! [remote rejected] ... (branch is currently checked out)`, on stdout with `--porcelain`),
    /// at most twelve; else its last line. The first often says why (`hasDotdot: contains '..'`).
    /// Escaped, since it may quote what a hostile server sent, which must never drive a terminal.
    public var complaint: String {
        let rejected = text.split(whereSeparator: \.isNewline).filter { $0.hasPrefix("!") }
        let lines = (stderr.split(whereSeparator: \.isNewline) + rejected).map {
            $0.replacingOccurrences(of: "\t", with: " ").trimmingCharacters(in: .whitespaces)
        }
        let reasons = lines.filter { line in ["fatal:", "error:", "remote: error:", "remote: fatal:", "!"].contains { line.hasPrefix($0) } }
        return (reasons.isEmpty ? lines.last ?? "exit status \(status)" : reasons.prefix(12).joined(separator: "; ")).escapingControlCharacters
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
        self.executable = executable ?? environmentValue("PLUMB_GIT") ?? "git"
        resolvedPath = ChildProcess.find(self.executable)
    }

    /// Runs `git args...`; a non-zero exit is a result, not an error; a git that takes longer
    /// than its timeout is stopped and this throws.
    public func run(_ arguments: [String], input: [UInt8]? = nil, environment extra: [String: String] = [:]) async throws -> GitOutput {
        let (resolved, args) = try prepare(arguments)
        var environment = Self.environment
        for (name, value) in extra { environment = environment.updating([Environment.Key(stringLiteral: name): value]) }
        do {
            return try await ChildProcess.run(resolved, args, environment: environment, input: input, timeout: Self.timeout(for: arguments))
        } catch {
            throw GitError("git \(Self.subcommand(of: arguments)) failed: \(error)")
        }
    }

    /// Runs `git args...` and hands its output to `consume` as it comes, so that a long output
    /// (a whole history) is never held at once. The result's `stdout` is empty.
    public func stream(_ arguments: [String], consume: ([UInt8]) throws -> Void) async throws -> GitOutput {
        let (resolved, args) = try prepare(arguments)
        do {
            return try await ChildProcess.run(resolved, args, environment: Self.environment, timeout: Self.timeout(for: arguments), consume: consume)
        } catch let error as GitError {
            throw error
        } catch {
            throw GitError("git \(Self.subcommand(of: arguments)) failed: \(error)")
        }
    }

    /// The git command of an argument list (`fetch` of `-c fetch.fsckObjects=true fetch ...`).
    static func subcommand(of arguments: [String]) -> String {
        var rest = arguments[...]
        while let first = rest.first, first.hasPrefix("-") {
            rest = rest.dropFirst(first == "-c" || first == "--git-dir" ? 2 : 1)
        }
        return rest.first ?? ""
    }

    /// How long a git may take: talking to the source (fetch, push) gets a generous time,
    /// `PLUMB_GIT_TIMEOUT` (default 5m); reading the mirror is quick, so a minute is already a hang.
    static func timeout(for arguments: [String]) -> Duration {
        ["fetch", "push", "ls-remote", "clone"].contains(subcommand(of: arguments)) ? networkTimeout : .seconds(60)
    }

    static let networkTimeout: Duration = environmentValue("PLUMB_GIT_TIMEOUT").flatMap(Duration.parse) ?? .seconds(300)

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


    /// Runs git and returns its standard output, or throws with git's complaint on a non-zero exit.
    @discardableResult
    public func output(_ arguments: [String], input: [UInt8]? = nil, what: String) async throws -> GitOutput {
        let out = try await run(arguments, input: input)
        guard out.succeeded else { throw GitError("\(what) failed: \(out.complaint)") }
        return out
    }
}
