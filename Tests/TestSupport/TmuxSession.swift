import Foundation

/// A real terminal for end-to-end tests of the console: a tmux server of its own (its own
/// socket), one window of a given size running a command, read with `capture-pane` and driven
/// with `send-keys`.
public final class TmuxSession: @unchecked Sendable {
    public let socket: String
    let name = "plumb"
    /// Holds the socket; removed with the session.
    private let folder: Scratch
    /// The tmux server of this session, to be sure it ends with the session.
    private var serverPID: Int32?

    /// Starts `command` (run by sh) in a `width`x`height` window. After the command ends, the
    /// window stays, showing `EXIT=<status>` and whether the terminal was given back in cooked mode.
    /// `unset` names variables of this process's environment the command must not see.
    public init(command: String, env: [String: String], unset: [String] = [], width: Int = 80, height: Int = 24) throws {
        folder = try Scratch()
        socket = folder.file("tmux.sock")
        let exports = env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let script = "env \(unset.map { "-u \($0) " }.joined())\(exports) \(command); echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 600"
        try Self.detached(["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", script])
        guard eventually(10, { (try? run("tmux", ["-S", socket, "has-session", "-t", name]).status) == 0 }) else {
            throw SetupError("tmux did not start a session")
        }
        serverPID = (try? run("tmux", ["-S", socket, "display-message", "-p", "-t", name, "#{pid}"]).stdout)
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    /// Starts a tmux client that starts the server, without waiting for it: the server keeps the
    /// descriptors it was given, so it gets only /dev/null (Process closes every other one in the
    /// child); and Foundation can miss the exit of a client whose child daemonizes.
    static func detached(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["tmux"] + arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    deinit { killServer() }

    /// Ends the server and with it the terminal: what a closed terminal window does to a program.
    /// `kill-server` was seen to answer and leave the server running, so it is killed outright.
    public func killServer() {
        _ = try? run("tmux", ["-S", socket, "kill-server"])
        if let serverPID { kill(serverPID, SIGKILL) }
    }

    /// The process the window runs (the shell running the command, and so the parent of plumb).
    public var shellPID: Int32? {
        (try? run("tmux", ["-S", socket, "display-message", "-p", "-t", name, "#{pane_pid}"]).stdout)
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    public static func quote(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// The screen as text; with `escapes`, with the colour and attribute sequences tmux saw.
    public func screen(escapes: Bool = false) -> String {
        (try? run("tmux", ["-S", socket, "capture-pane", "-p", "-t", name] + (escapes ? ["-e"] : [])).stdout) ?? ""
    }

    /// Presses keys, by tmux's names (`Enter`, `Escape`, `C-c`, `Down`) or as literal text.
    public func press(_ keys: String...) {
        _ = try? run("tmux", ["-S", socket, "send-keys", "-t", name] + keys)
    }

    public func resize(width: Int, height: Int) {
        _ = try? run("tmux", ["-S", socket, "resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"])
    }

    /// Waits up to `seconds` until the screen satisfies `condition`; returns the last screen seen.
    @discardableResult
    public func waitFor(_ seconds: Double = 15, _ condition: (String) -> Bool) -> (ok: Bool, screen: String) {
        let deadline = Date().addingTimeInterval(seconds)
        var last = screen()
        while Date() < deadline {
            if condition(last) { return (true, last) }
            usleep(100_000)
            last = screen()
        }
        return (condition(last), last)
    }

    /// Waits until the command has ended and the terminal's modes after it are printed (the line
    /// after `EXIT=`): a test of how the terminal was left must not read the screen before.
    @discardableResult
    public func waitForExit(_ seconds: Double = 15) -> (ok: Bool, screen: String) {
        waitFor(seconds) { $0.contains("EXIT=") && $0.contains("icanon") }
    }

    /// Waits until the screen shows `text`.
    @discardableResult
    public func waitFor(_ text: String, _ seconds: Double = 15) -> (ok: Bool, screen: String) {
        waitFor(seconds) { $0.contains(text) }
    }
}
