import ArgumentParsing
import Engine
import Foundation
import VersionSource

struct Init: Command {
    static let summary = CommandSummary(
        name: "init", abstract: "Make a desired-state repository to start from, with comments that teach the format.",
        discussion: """
            DIR (new or empty) becomes a git repository on branch main holding resources/ with one \
            resource of each kind, files/, policy.yaml and plumb.yaml. Nothing is committed: read \
            it, change it, commit it, then point plumb at it with --repo DIR.
            """)

    var dir = ""

    static var parameters: [Parameter<Init>] {
        [
            .argument(\.dir, value: "dir", help: "The folder to make the repository in: new or empty."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let root = try newFolder(dir, for: "init")
            do {
                try await Git().output(["init", "--quiet", "--initial-branch=main", root], what: "making a git repository in \(root)")
                for (path, text) in Skeleton.files { try writeFile(text, to: root + "/" + path) }
            } catch {
                // Never half a skeleton: the folder is left as empty as it was found.
                for entry in (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? [] {
                    try? FileManager.default.removeItem(atPath: root + "/" + entry)
                }
                throw error
            }
            print("""
                Made a desired-state repository in \(root):
                  resources/example.yaml  one resource of each kind, with comments that teach the format
                  files/app/config.ini    content a manifest points at with source:
                  files/app/app.env       a template: rendered with the values below for each host
                  vars/common.yaml        values every host's templates see
                  hosts/web1.yaml         values for the host web1, over vars/
                  policy.yaml             rules every proposal must pass
                  plumb.yaml              how the engine runs

                Next: change it to say what your machine should hold, then
                  git -C \(root) add -A && git -C \(root) commit -m "Start the desired state"
                  plumb check --repo \(root)
                  git clone --bare \(root) \(root).git && git -C \(root) remote add origin \(root).git
                  plumb status --repo \(root).git --target DIR
                The bare \(root).git is the source plumb reads and pushes to (rollback, approve):
                git refuses pushes to a work tree with its branch checked out. Commit in \(root),
                then git -C \(root) push origin main.
                """)
        }
    }
}

/// The files `plumb init` writes: each explains itself, and together they pass `plumb check`.
enum Skeleton {
    static let files: [(String, String)] = [
        ("resources/example.yaml", example),
        ("files/app/config.ini", "[server]\nport = 8080\n"),
        ("files/app/app.env", "# Rendered by plumb for {{host.name}} ({{host.os}}/{{host.arch}})\nAPP_PORT={{port}}\nAPP_WORKERS={{host.cpus}}\n"),
        ("vars/common.yaml", "# Values for templates, merged from every *.yaml under vars/; hosts/<host>.yaml goes over them.\nport: 8080\n"),
        ("hosts/web1.yaml", "# Values for the host named web1 (its `uname -n`, or plumb --host web1), over vars/.\n# `plumb check` renders every template for each host that has a file here.\nport: 9090\n"),
        ("policy.yaml", policy),
        ("plumb.yaml", settings),
    ]

    static let example = """
        # Manifests: every *.yaml and *.yml file under resources/ declares resources, one YAML
        # document each, documents separated by `---`. A resource is named Kind/name, and the name
        # is unique per kind. Every path is relative to the target: the directory plumb keeps true
        # to this repository. No absolute paths, no "..": plumb never writes outside the target.

        # A file with its content written inline.
        kind: File
        name: motd
        spec:
          path: etc/motd
          content: "This machine is managed by plumb: change it in git, not here.\\n"
          mode: "0644"          # optional: 0644 is the default for a File
        ---
        # A file whose content is a file of this repository (under files/, by convention).
        kind: File
        name: app-config
        dependsOn: [Directory/app]   # optional: applied after these, and not if one fails
        spec:
          path: srv/app/config.ini
          source: files/app/config.ini
          # sensitive: true     # never show its content, in any diff or view
          # decrypt: age        # the source is age ciphertext (age -r RECIPIENT -o files/x.age x),
          #                     # decrypted when applied with --age-identity; always sensitive
          # validate: ["python3", "-c", "import configparser; configparser.ConfigParser().read_file(open('{}'))"]
          #                     # optional: checks the new content ({} is its staged copy) before it goes live
        ---
        # A file rendered as a Mustache template: {{port}} comes from vars/ and hosts/<host>.yaml,
        # {{host.name}}, {{host.fqdn}}, {{host.os}}, {{host.arch}}, {{host.cpus}} and
        # {{plumb.revision}} are facts. A name no value defines is an error at its line:column.
        kind: File
        name: app-env
        spec:
          path: srv/app/app.env
          source: files/app/app.env
          template: true
          # owner: www-data     # optional: a user name or number (resolved on the machine; needs root)
          # group: www-data
        ---
        # A folder. With `source: files/www`, every file below that folder of the repository
        # would become a resource of its own, File/<name>/<relative path>, and `prune: true` would
        # delete files that plumb wrote there and the repository no longer has. `path: .` is the
        # target root itself: a home directory in one document.
        kind: Directory
        name: app
        # hosts: ["web*"]       # optional, any kind: declared only on hosts whose name matches
        spec:
          path: srv/app
          mode: "0750"          # optional: 0755 is the default for a Directory
          ignore: ["*.swp", "cache/"]   # gitignore syntax: neither deployed nor reported as extra
          # purge: true         # delete files plumb did not write here (each saved first)
        ---
        # A symbolic link; `target` is the link's text, written as it is.
        kind: Symlink
        name: app-current
        spec:
          path: srv/app/current
          target: releases/1.0.0
        ---
        # A command run only when what it names changed in a sync, after it, never on its own
        # (an argv, no shell). A failed run is Degraded and runs again at the next sync.
        kind: Command
        name: app-config-changed
        spec:
          run: ["sh", "-c", "echo config changed >> config-changes.log"]
          onChangeOf: [File/app-config]
          cwd: srv/app          # optional: relative to the target, default its root
          # timeout: 60s        # optional: stopped after this long, and it failed
        # ---
        # # A systemd unit of this machine, started (or stopped) as declared and healed when it is
        # # not; restarted after what `restartOn` names changed (`reloadOn` for a reload). Its
        # # health comes from systemd and the optional probe (http, tcp or command). Without
        # # systemd it is Unknown and a sync refuses it.
        # kind: Service
        # name: app
        # spec:
        #   unit: app.service
        #   state: running        # or stopped
        #   enabled: true         # optional: enabled at boot (absent: left as it is)
        #   restartOn: [File/app-config]
        #   health: {http: "http://127.0.0.1:8080/health", interval: 10s, timeout: 2s, startPeriod: 30s}

        """

    static let policy = """
        # Rules every proposal (a branch proposal/<name>) must pass before `plumb approve` merges
        # it; `plumb check --proposal NAME` runs them in CI. plumb reads them from the tracked
        # branch's head, never from the proposal under review: a proposal cannot loosen them.
        rules:
          # A field rule: denied when the field's value matches.
          - name: no-world-writable
            kinds: [File, Directory]      # optional: only these kinds
            field: spec.mode
            deny-regex: "[2367]$"         # a regular expression, matched anywhere in the value
            message: files and folders must not be world-writable
          - name: no-password-files
            field: spec.path
            deny-glob: "etc/shadow*"      # a glob, matched against the whole value
          # A plan rule: limits what merging one proposal may change.
          - name: small-changes
            max-deletes: 3                # or max-changes: N (creates, updates and deletes)

        """

    static let settings = """
        # How the engine runs against this repository. Every setting is optional; command-line
        # flags win over these.
        interval: 30s     # how often the source is fetched (500ms, 30s, 5m, 1h); the target is watched all along
        autoSync: false   # true: drift is mended as soon as it is seen, as with `plumb agent --auto-sync`
        prune: false      # true: resources no longer declared are deleted, when plumb wrote them and they are unchanged

        """
}
