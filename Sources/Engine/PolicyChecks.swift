import ChildProcess
import DesiredState
import Foundation
import VersionSource

/// What one command of `checks:` said of a tree.
public struct CheckRun: Sendable, Hashable, Codable {
    public enum Outcome: Sendable, Hashable, Codable {
        case passed
        case failed(exit: Int32)
        /// Still running at its timeout, and stopped.
        case timedOut(after: Duration)
        /// It could not start (no such program), or the tree could not be checked out.
        case couldNotRun(String)
    }

    public let name: String
    public let outcome: Outcome
    /// The last lines it printed, standard output then standard error, escaped.
    public let output: String

    public init(name: String, outcome: Outcome, output: String) {
        (self.name, self.outcome, self.output) = (name, outcome, output)
    }

    public var passed: Bool { outcome == .passed }

    /// `exit 1`, `passed`, in words.
    public var result: String {
        switch outcome {
        case .passed: return "passed"
        case .failed(let exit): return "exit \(exit)"
        case .timedOut(let limit): return "did not finish within \(limit.words) and was stopped"
        case .couldNotRun(let why): return "could not run: \(why)"
        }
    }

    /// The last `count` lines it printed, for a report that shows why it failed.
    public func lastLines(_ count: Int) -> [Substring] {
        Array(output.split(whereSeparator: \.isNewline).suffix(count))
    }

    /// A failed check as a reason to refuse: its result and the last line it printed.
    public var violation: Violation? {
        guard !passed else { return nil }
        let last = output.split(whereSeparator: \.isNewline).last.map { ": \($0)" } ?? ""
        return Violation(rule: "check \(name)", resource: nil, message: result + last)
    }

    /// The most of a check's output that is kept.
    static let outputTail = 4096
}

extension Engine {
    /// Runs the head policy's `checks` on `tree` (a merge result or a revision), each with
    /// `{tree}` replaced by a checkout of it in a temporary folder, no stdin, and its timeout.
    /// The results are kept per (tree, branch head): the same proposal against the same head is
    /// checked once, whoever asks.
    public func runChecks(_ checks: [PolicyCheck], on tree: String, head: String) async throws -> [CheckRun] {
        guard !checks.isEmpty else { return [] }
        let key = "\(tree):\(head)"
        if let known = store.cachedCheckRuns(key: key), known.map(\.name) == checks.map(\.name) { return known }
        let folder = try temporaryFolder("plumb-check")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkout = folder + "/tree"
        var runs: [CheckRun]
        do {
            try FileManager.default.createDirectory(atPath: checkout, withIntermediateDirectories: false)
            try await mirror.checkOut(tree, into: checkout, index: folder + "/index")
            runs = []
            for check in checks { runs.append(await run(check, in: checkout)) }
        } catch {
            runs = checks.map { CheckRun(name: $0.name, outcome: .couldNotRun("\(error)".escapingControlCharacters), output: "") }
        }
        // What could not run at all (no such program yet) is asked again next time.
        if !runs.contains(where: { if case .couldNotRun = $0.outcome { true } else { false } }) { store.storeCheckRuns(runs, key: key) }
        return runs
    }

    private func run(_ check: PolicyCheck, in tree: String) async -> CheckRun {
        let argv = check.arguments(tree: tree)
        guard let program = ChildProcess.find(argv[0]) else {
            return CheckRun(name: check.name, outcome: .couldNotRun("\(argv[0]) was not found".escapingControlCharacters), output: "")
        }
        // Only the tail is kept: a tree can make a check print without end.
        var tail: [UInt8] = []
        do {
            let out = try await ChildProcess.run(program, Array(argv.dropFirst()), workingDirectory: tree, input: [], timeout: check.timeout) { chunk in
                tail += chunk
                if tail.count > 2 * CheckRun.outputTail { tail.removeFirst(tail.count - CheckRun.outputTail) }
            }
            let printed = String(decoding: tail.suffix(CheckRun.outputTail), as: UTF8.self) + out.stderr.suffix(CheckRun.outputTail)
            return CheckRun(name: check.name, outcome: out.status == 0 ? .passed : .failed(exit: out.status),
                            output: String(printed.suffix(CheckRun.outputTail)).escapingControlCharactersByLine)
        } catch {
            let printed = String(decoding: tail.suffix(CheckRun.outputTail), as: UTF8.self).escapingControlCharactersByLine
            let timedOut = (error as? ChildProcessError)?.timedOut == true
            return CheckRun(name: check.name, outcome: timedOut ? .timedOut(after: check.timeout) : .couldNotRun("\(error)".escapingControlCharacters),
                            output: printed)
        }
    }
}
