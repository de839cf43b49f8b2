import Foundation

/// What the machine holds for a resource, as plumb compares it with the desired state: for a
/// File, Directory or Symlink what is at its path; for a Service its unit; for a Command its
/// last run. A unit and a run are boxed (`indirect`): ten thousand files need not each be as big.
public enum Observation: Sendable, Hashable {
    case absent
    case file(blob: String, mode: UInt32, size: Int)
    case directory(mode: UInt32)
    case symlink(target: String)
    /// A FIFO, socket or device: plumb never manages those.
    case other(String)
    /// Could not be looked at, and why (a parent that is a symlink, a permission refused, no systemd).
    case unobservable(String)
    /// A Service's unit as systemd tells it, with its probe's answer.
    indirect case unit(UnitState)
    /// A Command's last run; nil when it has not run yet.
    indirect case commandRun(CommandRun?)

    /// A word for what is there, for messages: "a file", "a directory".
    public var noun: String {
        switch self {
        case .absent: return "nothing"
        case .file: return "a file"
        case .directory: return "a directory"
        case .symlink: return "a symlink"
        case .other(let what): return what
        case .unobservable: return "unknown"
        case .unit: return "a unit"
        case .commandRun: return "a command"
        }
    }
}

/// A systemd unit, from `systemctl show` (the properties systemd documents as machine-readable).
public struct UnitState: Sendable, Hashable {
    /// systemd's `ActiveState`.
    public enum Activity: String, Sendable, Hashable {
        case active, reloading, inactive, failed, activating, deactivating, maintenance, refreshing
    }

    public let unit: String
    /// `LoadState`: loaded, not-found, masked, bad-setting, error.
    public let load: String
    public let activity: Activity
    /// `SubState`: running, dead, exited ...
    public let sub: String
    /// `UnitFileState`: enabled, disabled, static ... ("" when it has no unit file).
    public let unitFile: String
    /// `Result`: success, exit-code, signal ...
    public let result: String
    public let mainPID: Int
    /// `ActiveEnterTimestamp`: when it last became active.
    public let activeSince: Date?
    public let canReload: Bool
    /// The health probe's answer, when the Service has one and the unit is up.
    public var probe: ProbeResult?

    public init(unit: String, load: String, activity: Activity, sub: String, unitFile: String, result: String,
                mainPID: Int, activeSince: Date?, canReload: Bool, probe: ProbeResult? = nil) {
        self.unit = unit
        self.load = load
        self.activity = activity
        self.sub = sub
        self.unitFile = unitFile
        self.result = result
        self.mainPID = mainPID
        self.activeSince = activeSince
        self.canReload = canReload
        self.probe = probe
    }

    public var exists: Bool { load != "not-found" }
    public var isUp: Bool { activity == .active || activity == .reloading || activity == .activating }
    public var isEnabled: Bool { unitFile == "enabled" || unitFile == "enabled-runtime" }
    public var isDisabled: Bool { unitFile == "disabled" }

    /// systemd's words for its state, as `systemctl status` says them: `active (running)`.
    public var words: String {
        activity == .failed && !result.isEmpty && result != "success" ? "failed (\(result))" : "\(activity.rawValue) (\(sub))"
    }
}

/// One answer of a health probe.
public struct ProbeResult: Sendable, Hashable {
    public let passed: Bool
    /// What it saw: `200`, `connection refused`, `exit 1: ...`.
    public let detail: String
    public let at: Date
}

/// A Command's last run, as the journal holds it.
public struct CommandRun: Sendable, Hashable {
    public let succeeded: Bool
    public let at: Date
    /// The journal's words for it: the exit and the tail of its output.
    public let message: String
}
