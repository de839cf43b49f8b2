import Foundation

/// A real systemd for tests, booted as PID 1 of its own PID, mount, UTS and network namespaces
/// (`unshare` as root, systemd as its init; tests without root skip and say so): units written
/// to its `/run/systemd/system` start, reload and stop for real, and nothing of it reaches the
/// machine's own systemd.
///
/// It gets private tmpfs mounts on `/tmp`, `/run`, `/var/tmp` and `/etc/systemd/system` (where
/// `systemctl enable` writes) and the tmpfiles units masked
/// before systemd starts: booted without them, systemd's boot-time `systemd-tmpfiles --remove`
/// empties the machine's real `/tmp`. So files a test shares with it must live outside those
/// folders: under `SystemdMachine.sharedFolder`.
public final class SystemdMachine: @unchecked Sendable {
    /// Why no systemd can be booted here (not root, no systemd, namespaces refused), or nil.
    /// Worked out once; tests skip with it, visibly.
    public static let unavailable: String? = {
        guard geteuid() == 0 else { return "needs root to boot systemd in its own namespaces" }
        guard FileManager.default.isExecutableFile(atPath: systemd) else { return "systemd is not installed (\(systemd))" }
        do { _ = try SystemdMachine() } catch { return "\(error)" }
        return nil
    }()

    /// Folders a test shares with the machine: outside the `/tmp`, `/run` and `/var/tmp` it hides.
    public static let sharedFolder = "/var/lib/plumb-tests"

    static let systemd = "/lib/systemd/systemd"
    static let maskedUnits = ["systemd-tmpfiles-setup.service", "systemd-tmpfiles-setup-dev.service",
                              "systemd-tmpfiles-clean.service", "systemd-tmpfiles-clean.timer"]

    /// The plumb binary under test, as the machine reaches it.
    public let plumbBinary: String

    /// systemd's pid, as this side of the namespace sees it.
    public let pid: pid_t
    private let unshare: Process
    private let folder: String

    public init() throws {
        folder = Self.sharedFolder + "/machine-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let boot = folder + "/boot"
        // The binary under test, wherever it was built (a clone in /tmp hides under the private
        // /tmp): its folder is bound into the shared one before the private mounts go on.
        let binaries = folder + "/bin"
        try FileManager.default.createDirectory(atPath: binaries, withIntermediateDirectories: true)
        plumbBinary = binaries + "/" + (PlumbBinary.path as NSString).lastPathComponent
        let masks = Self.maskedUnits.map { "[ -e /lib/systemd/system/\($0) ] && mount --bind /dev/null /lib/systemd/system/\($0)" }
        try ([
            "#!/bin/sh",
            "set -e",
            "mount --make-rprivate /",
            "mount --bind '\((PlumbBinary.path as NSString).deletingLastPathComponent)' '\(binaries)'",
            "mount -t tmpfs tmpfs /tmp",
            "mount -t tmpfs tmpfs /run",
            "mount -t tmpfs tmpfs /var/tmp",
            // `systemctl enable` links units here: the machine's own stays untouched.
            "mount -t tmpfs tmpfs /etc/systemd/system",
        ] + masks.map { $0 + " || true" } + ["exec \(Self.systemd) --system --unit=basic.target"]).joined(separator: "\n")
            .write(toFile: boot, atomically: true, encoding: .utf8)
        chmod(boot, 0o755)
        unshare = Process()
        // If the test process dies, setpriv's death signal ends unshare, and --kill-child systemd.
        unshare.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        unshare.arguments = ["--pdeathsig", "KILL", "--", "/usr/bin/unshare", "--kill-child", "--pid", "--fork", "--mount", "--mount-proc", "--uts", "--net", boot]
        unshare.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        let log = folder + "/boot.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        unshare.standardError = FileHandle(forWritingAtPath: log)
        try unshare.run()
        // systemd is unshare's only child (setpriv became unshare: one process).
        var found: pid_t?
        let deadline = Date().addingTimeInterval(10)
        while found == nil && Date() < deadline && unshare.isRunning {
            let children = (try? String(contentsOfFile: "/proc/\(unshare.processIdentifier)/task/\(unshare.processIdentifier)/children", encoding: .utf8)) ?? ""
            found = children.split(separator: " ").first.flatMap { pid_t($0) }
            if found == nil { usleep(20_000) }
        }
        guard let found else {
            unshare.terminate()
            let why = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw SetupError("cannot make the namespaces for systemd here: \(why.trimmingCharacters(in: .whitespacesAndNewlines))")
        }
        pid = found
        let state = try waitUntilRunning()
        guard state == "running" || state == "degraded" else {
            kill(pid, SIGKILL)
            throw SetupError("systemd did not come up in its namespace (is-system-running: \(state))")
        }
    }

    deinit {
        kill(pid, SIGKILL)
        unshare.waitUntilExit()
        // The binaries were bound into bin/ only inside the machine, which is gone: here it is an
        // empty folder. Should it not be, nothing is removed rather than the build.
        guard rmdir(folder + "/bin") == 0 || errno == ENOENT else { return }
        try? FileManager.default.removeItem(atPath: folder)
    }

    private func waitUntilRunning() throws -> String {
        var state = ""
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            state = try run("systemctl", ["is-system-running"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
            if state == "running" || state == "degraded" { break }
            usleep(100_000)
        }
        return state
    }

    /// Runs a program inside the machine (its PID, mount and network namespaces), as plumb will
    /// run there: its units' loopback servers are the ones it reaches.
    @discardableResult
    public func run(_ executable: String, _ arguments: [String], env: [String: String] = [:]) throws -> ProcessResult {
        try TestSupport.run("/usr/bin/nsenter", ["-t", "\(pid)", "-p", "-m", "-n", "--", "/usr/bin/env"]
                            + env.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" } + [executable] + arguments)
    }

    /// Writes a unit into the machine's `/run/systemd/system` and has systemd read it.
    public func install(unit name: String, _ text: String) throws {
        let staged = folder + "/" + name
        try text.write(toFile: staged, atomically: true, encoding: .utf8)
        try check(run("cp", [staged, "/run/systemd/system/" + name]))
        try check(run("systemctl", ["daemon-reload"]))
    }

    /// `plumb args...` inside the machine, against a fixture made in `sharedFolder`.
    @discardableResult
    public func plumb(_ fixture: PlumbFixture, _ arguments: String...) throws -> ProcessResult {
        try run(plumbBinary, arguments, env: fixture.environment)
    }

    /// `systemctl show -p NAME` of a unit.
    public func property(_ name: String, of unit: String) throws -> String {
        try run("systemctl", ["show", "-p", name, "--value", unit]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @discardableResult
    func check(_ result: ProcessResult) throws -> ProcessResult {
        guard result.status == 0 else { throw SetupError("in the systemd machine: \(result.stderr)") }
        return result
    }
}
