import ArgumentParsing
import ChildProcess
import Engine
import Foundation
import VersionSource

/// The options every command takes: where desired state comes from and where it goes.
struct SourceOptions: ParameterGroup {
    var repo: String?
    var branch: String?
    var path: String?
    var target: String?
    var state: String?
    var host: String?
    var allowedSigners: String?
    var gpgHome: String?
    var ageIdentity: String?
    var noFetch = false
    var color: ColorChoice?

    static var parameters: [Parameter<SourceOptions>] {
        [
            .option(\.repo, "repo", value: "url|path", help: "The source repository: any URL or path git clone accepts (PLUMB_REPO)."),
            .option(\.branch, "branch", value: "name", help: "The tracked branch, default main (PLUMB_BRANCH)."),
            .option(\.path, "path", value: "subdir", help: "A subdirectory of the repository holding resources/ (PLUMB_PATH)."),
            .option(\.target, "target", value: "dir", help: "The directory plumb keeps true to the source (PLUMB_TARGET)."),
            .option(\.state, "state", value: "dir", help: "plumb's state dir, default $XDG_STATE_HOME/plumb/<id> (PLUMB_STATE)."),
            .option(\.host, "host", value: "name", help: "The host to render desired state for: hosts/<name>.yaml, hosts: globs, host.name; default this machine's name (PLUMB_HOST)."),
            .option(\.allowedSigners, "allowed-signers", value: "file", help: "Apply only revisions signed by a key in this file, ssh-keygen's allowed signers format (PLUMB_ALLOWED_SIGNERS)."),
            .option(\.gpgHome, "gpg-home", value: "dir", help: "Apply only revisions signed by a key in this GnuPG home's keyring (PLUMB_GPG_HOME)."),
            .option(\.ageIdentity, "age-identity", value: "file", help: "Decrypt Files declared `decrypt: age` with this age identity file (PLUMB_AGE_IDENTITY)."),
            .flag(\.noFetch, "no-fetch", help: "Read the mirror as last fetched instead of fetching the source first."),
            .option(\.color, "color", value: "when", help: "Colour the output: auto (on a terminal, not with NO_COLOR), always or never."),
        ]
    }

    /// The colours output is printed with, as `--color` says.
    var paint: Paint { Paint.choose(color) }

    /// A flag's value, else the environment's, else nil.
    private func value(_ flag: String?, _ name: String) -> String? {
        if let flag, !flag.isEmpty { return flag }
        if let fromEnv = environmentValue(name), !fromEnv.isEmpty { return fromEnv }
        return nil
    }

    /// The state dir alone: given outright, or derived from source and target.
    func stateDirectory() throws -> StateDirectory {
        if let state = value(state, "PLUMB_STATE") { return StateDirectory(path: state) }
        return try config().stateDir
    }

    /// The engine's configuration, flags first, then the environment. A command that reads only
    /// the source (`check`, in CI, where there is no target) passes `scratch`, a folder of its own:
    /// without a target given, an empty one and the state dir are made there.
    func config(scratch: String? = nil) throws -> EngineConfig {
        guard let repo = value(repo, "PLUMB_REPO") else {
            throw StateError("no source repository: give --repo URL|PATH or set PLUMB_REPO")
        }
        let givenTarget = value(target, "PLUMB_TARGET")
        let inScratch = givenTarget == nil ? scratch : nil
        if let inScratch { try FileManager.default.createDirectory(atPath: inScratch + "/target", withIntermediateDirectories: true) }
        guard let target = givenTarget ?? inScratch.map({ $0 + "/target" }) else {
            throw StateError("no target directory: give --target DIR or set PLUMB_TARGET")
        }
        let targetPath = LocalPath.absolute(target)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: targetPath, isDirectory: &isDirectory) else {
            throw StateError("the target \(targetPath) does not exist; create it first")
        }
        guard isDirectory.boolValue else { throw StateError("the target \(targetPath) is not a directory") }
        // A local path is made absolute, so the state dir's id and git both see one place.
        let url = FileManager.default.fileExists(atPath: repo) ? LocalPath.absolute(repo) : repo
        let source = SourceRef(url: url, branch: value(branch, "PLUMB_BRANCH") ?? "main", path: value(path, "PLUMB_PATH") ?? "")
        let state = value(state, "PLUMB_STATE") ?? inScratch.map { $0 + "/state" } ?? StateDirectory.defaultPath(source: source, target: targetPath)
        return EngineConfig(source: source, target: targetPath, stateDir: StateDirectory(path: state), host: try hostName(), trust: try trustRoot(),
                            ageIdentity: try identityFile())
    }

    /// `--age-identity` or `PLUMB_AGE_IDENTITY`, checked to be readable now rather than named in
    /// every secret's Unknown later.
    private func identityFile() throws -> String? {
        guard let file = value(ageIdentity, "PLUMB_AGE_IDENTITY").map(LocalPath.absolute) else { return nil }
        guard FileManager.default.isReadableFile(atPath: file) else {
            throw StateError("the age identity \(file.escapingControlCharacters) (--age-identity or PLUMB_AGE_IDENTITY) cannot be read")
        }
        return file
    }

    /// `--allowed-signers` or `--gpg-home` (or their variables), checked to be there: a trust root
    /// that cannot be read would refuse every revision for a reason nobody sees.
    private func trustRoot() throws -> TrustRoot? {
        let signers = value(allowedSigners, "PLUMB_ALLOWED_SIGNERS").map(LocalPath.absolute)
        let home = value(gpgHome, "PLUMB_GPG_HOME").map(LocalPath.absolute)
        switch (signers, home) {
        case (nil, nil): return nil
        case (_?, _?): throw StateError("give one trust root: --allowed-signers FILE or --gpg-home DIR, not both")
        case (let file?, nil):
            guard FileManager.default.isReadableFile(atPath: file) else {
                throw StateError("the allowed signers file \(file.escapingControlCharacters) (--allowed-signers or PLUMB_ALLOWED_SIGNERS) cannot be read")
            }
            return .allowedSigners(file)
        case (nil, let directory?):
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw StateError("the GnuPG home \(directory.escapingControlCharacters) (--gpg-home or PLUMB_GPG_HOME) is not a directory")
            }
            return .gpgHome(directory)
        }
    }

    /// `--host` or `PLUMB_HOST`, checked to be a host name: it names a file, `hosts/<name>.yaml`.
    private func hostName() throws -> String? {
        guard let name = value(host, "PLUMB_HOST") else { return nil }
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_")
        guard name.count <= 253, name.allSatisfy(allowed.contains), !name.hasPrefix("."), !name.hasPrefix("-") else {
            throw StateError("bad host name \(name.escapingControlCharacters) (--host or PLUMB_HOST): write letters, digits, dots, dashes or underscores, such as web1")
        }
        return name
    }

    /// The engine of a command that observes the target, acts once and ends.
    func engine(use: StateStore.Use = .observing) async throws -> Engine { try await Engine(config: config(), use: use) }
}
