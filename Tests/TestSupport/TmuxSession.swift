import Foundation

/// A real terminal for end-to-end tests of the console: a tmux server of its own (its own
/// socket), one window of a given size running a command, read with `capture-pane` and driven
/// with `send-keys`.
public final class TmuxSession: @unchecked Sendable {
    public let socket: String
    let name = "plumb"

    /// Starts `command` (run by sh) in a `width`x`height` window. After the command ends, the
    /// window stays, showing `EXIT=<status>` and whether the terminal was given back in cooked mode.
    public init(command: String, env: [String: String], width: Int = 80, height: Int = 24) throws {
        socket = try Scratch().file("tmux.sock")
        let exports = env.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quote($0.value))" }.joined(separator: " ")
        let script = "env \(exports) \(command); echo EXIT=$?; stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | tr '\\n' ' '; echo; sleep 600"
        let result = try run("tmux", ["-S", socket, "-f", "/dev/null", "new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", script])
        guard result.status == 0 else { throw SetupError("tmux new-session failed: \(result.stderr)") }
    }

    deinit { _ = try? run("tmux", ["-S", socket, "kill-server"]) }

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

    /// Waits until the screen shows `text`.
    @discardableResult
    public func waitFor(_ text: String, _ seconds: Double = 15) -> (ok: Bool, screen: String) {
        waitFor(seconds) { $0.contains(text) }
    }
}
