/// What a `Service` declares: a systemd unit of this machine, driven through `systemctl`.
public struct ServiceSpec: Sendable, Hashable, Codable {
    /// The unit's state when plumb is done with it.
    public enum State: String, Sendable, Codable { case running, stopped }

    /// The unit's name, such as `nginx.service`.
    public let unit: String
    public let state: State
    /// Enabled at boot or not; nil leaves it as it is.
    public let enabled: Bool?
    /// Resources whose change in a sync reloads the unit afterwards.
    public let reloadOn: [ResourceID]
    /// Resources whose change in a sync restarts the unit afterwards (restart wins over reload).
    public let restartOn: [ResourceID]
    /// How to tell that it works, beyond systemd's word.
    public let probe: Probe?

    public init(unit: String, state: State, enabled: Bool?, reloadOn: [ResourceID], restartOn: [ResourceID], probe: Probe?) {
        self.unit = unit
        self.state = state
        self.enabled = enabled
        self.reloadOn = reloadOn
        self.restartOn = restartOn
        self.probe = probe
    }
}

/// A Service's `health` probe: asked while the unit is active, it makes it Healthy, or (after
/// `startPeriod` since the unit became active) Degraded when it fails.
public struct Probe: Sendable, Hashable, Codable {
    public enum Check: Sendable, Hashable, Codable {
        /// A GET of the URL answers with the status `expect`.
        case http(url: String, expect: Int)
        /// A TCP connection to the address opens.
        case tcp(host: String, port: UInt16)
        /// The argv (no shell) exits 0.
        case command([String])
    }

    public let check: Check
    /// How often to ask between passes.
    public let interval: Duration
    /// How long one answer may take.
    public let timeout: Duration
    /// How long after the unit became active a failing answer only means Progressing.
    public let startPeriod: Duration

    public static let defaultInterval: Duration = .seconds(10)
    public static let defaultTimeout: Duration = .seconds(2)
    public static let defaultStartPeriod: Duration = .seconds(30)

    public init(check: Check, interval: Duration = defaultInterval, timeout: Duration = defaultTimeout, startPeriod: Duration = defaultStartPeriod) {
        self.check = check
        self.interval = interval
        self.timeout = timeout
        self.startPeriod = startPeriod
    }

    /// What it asks, in words: `GET http://127.0.0.1:8080/ → 200`.
    public var words: String {
        switch check {
        case .http(let url, let expect): return "GET \(url) → \(expect)"
        case .tcp(let host, let port): return "tcp \(host):\(port)"
        case .command(let argv): return argv.joined(separator: " ")
        }
    }
}

/// What a `Command` declares: an argv run only when what it watches changed in a sync (Puppet's
/// `refreshonly` exec, Ansible's handlers), never on its own.
public struct CommandSpec: Sendable, Hashable, Codable {
    /// The program and its arguments; no shell.
    public let run: [String]
    /// Resources whose change in a sync runs it once, after them.
    public let onChangeOf: [ResourceID]
    public let timeout: Duration
    /// Where it runs, relative to the target root ("" is the root).
    public let cwd: String

    public static let defaultTimeout: Duration = .seconds(60)

    public init(run: [String], onChangeOf: [ResourceID], timeout: Duration = defaultTimeout, cwd: String = "") {
        self.run = run
        self.onChangeOf = onChangeOf
        self.timeout = timeout
        self.cwd = cwd
    }
}
