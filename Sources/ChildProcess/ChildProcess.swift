import Foundation
import Subprocess
import Synchronization
import SystemPackage

/// A child that did not finish in time, or could not be started.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Whether it was stopped at its timeout (else it could not be started or waited for).
    public let timedOut: Bool
    public init(_ description: String, timedOut: Bool = false) {
        self.description = description
        self.timedOut = timedOut
    }
}

/// What one child process produced.
public struct ChildOutput: Sendable {
    public let status: Int32
    /// Empty when the output was handed to a consumer as it came.
    public let stdout: [UInt8]
    public let stderr: String

    public init(status: Int32, stdout: [UInt8], stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The last line the child printed on standard error, or else on standard output: what a
    /// refusal names.
    public var lastLine: String? {
        let line = stderr.split(whereSeparator: \.isNewline).last
            ?? String(decoding: stdout, as: UTF8.self).split(whereSeparator: \.isNewline).last
        return line.map(String.init)
    }
}

/// The one way plumb runs another program (git, systemctl, commands, validators and probes):
/// never a shell, always a timeout, and never outliving plumb.
///
/// - Each child leads a process group of its own, so that a timeout (or plumb ending) stops it
///   and everything it started (git's `ssh`, `git-remote-https`) with one signal.
/// - Each child is started through `setpriv --pdeathsig KILL`, so that the kernel kills it when
///   plumb dies, even by `kill -9`, which no handler sees. The death signal follows the thread
///   that started the child, so children are started on one thread that lives as long as plumb.
/// - `stopAll()` ends every running child: for SIGTERM and SIGINT.
public enum ChildProcess {
    /// Runs `executable` (an absolute path) with `arguments` and keeps its output. A non-zero
    /// exit is a result; a child still running after `timeout` is killed with its group and this throws.
    public static func run(
        _ executable: String, _ arguments: [String], environment: Environment = .inherit, workingDirectory: String? = nil,
        input: [UInt8]? = nil, timeout: Duration
    ) async throws -> ChildOutput {
        var kept: [UInt8] = []
        let out = try await run(executable, arguments, environment: environment, workingDirectory: workingDirectory,
                                input: input, timeout: timeout) { kept += $0 }
        return ChildOutput(status: out.status, stdout: kept, stderr: out.stderr)
    }

    /// Runs as above, handing standard output to `consume` as it comes instead of keeping it.
    public static func run(
        _ executable: String, _ arguments: [String], environment: Environment = .inherit, workingDirectory: String? = nil,
        input: [UInt8]? = nil, timeout: Duration, consume: ([UInt8]) throws -> Void
    ) async throws -> ChildOutput {
        let (path, args) = deathSignalWrapper.map { ($0, ["--pdeathsig", "KILL", "--", executable] + arguments) } ?? (executable, arguments)
        var options = PlatformOptions()
        options.processGroupID = 0
        let name = (executable as NSString).lastPathComponent
        let timedOut = Flag()
        do {
            return try await withTaskExecutorPreference(SpawningThread.shared) {
                let result = try await Subprocess.run(
                    .path(FilePath(path)), arguments: Arguments(args), environment: environment,
                    workingDirectory: workingDirectory.map { FilePath($0) }, platformOptions: options,
                    input: .array(input ?? []), output: .sequence, error: .string(limit: 1 << 20)
                ) { execution in
                    let group = execution.processIdentifier.value
                    live.withLock { _ = $0.insert(group) }
                    let timer = Task.detached {
                        try await Task.sleep(for: timeout)
                        timedOut.set()
                        kill(-group, SIGKILL)
                    }
                    defer {
                        timer.cancel()
                        live.withLock { _ = $0.remove(group) }
                    }
                    for try await chunk in execution.standardOutput {
                        try chunk.withUnsafeBytes { try consume(Array($0)) }
                    }
                }
                if timedOut.isSet {
                    throw ChildProcessError("\(name) did not finish within \(timeout.words) and was stopped", timedOut: true)
                }
                let status: Int32
                switch result.terminationStatus {
                case .exited(let code): status = code
                case .signaled(let signal): status = 128 + signal
                }
                return ChildOutput(status: status, stdout: [], stderr: result.standardError)
            }
        } catch let error as ChildProcessError {
            throw error
        } catch {
            if timedOut.isSet {
                throw ChildProcessError("\(name) did not finish within \(timeout.words) and was stopped", timedOut: true)
            }
            throw ChildProcessError("running \(executable) failed: \(error)")
        }
    }

    /// Kills every child that is running now, with its process group.
    public static func stopAll() {
        for group in live.withLock({ $0 }) { kill(-group, SIGKILL) }
    }

    /// The process groups of the children running now.
    private static let live = Mutex<Set<pid_t>>([])

    /// `setpriv` from util-linux, which every Debian has; without it children still time out and
    /// end with SIGTERM, but not with a `kill -9` of plumb.
    static let deathSignalWrapper: String? = find("setpriv")

    /// An executable's absolute path, found once on PATH: trying each PATH entry with a fork and
    /// exec of its own costs several milliseconds per entry on every run.
    public static func find(_ executable: String) -> String? {
        if executable.contains("/") { return FileManager.default.isExecutableFile(atPath: executable) ? executable : nil }
        let path = environmentValue("PATH") ?? "/usr/bin:/bin"
        return path.split(separator: ":").lazy.map { "\($0)/\(executable)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// One thread that lives as long as plumb, on which children are started: the kernel sends a
/// child's death signal when the thread that started it ends, and the threads of Swift's own
/// pool end when idle.
final class SpawningThread: TaskExecutor, @unchecked Sendable {
    static let shared = SpawningThread()

    private let jobs = Mutex<[UnownedJob]>([])
    private let ready = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [unowned self] in
            while true {
                ready.wait()
                guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                job.runSynchronously(on: asUnownedTaskExecutor())
            }
        }
        thread.name = "plumb-children"
        thread.start()
    }

    func enqueue(_ job: UnownedJob) {
        jobs.withLock { $0.append(job) }
        ready.signal()
    }
}

/// A flag one task sets and another reads.
final class Flag: Sendable {
    private let value = Atomic(false)
    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
