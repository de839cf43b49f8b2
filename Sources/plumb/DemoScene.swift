import Foundation

/// The demo's story, as data: a small team's desired-state repository for one web host, told as
/// a history of commits; the commit the target was last synced to; the rollback, the commit after
/// it and two open proposals; and the hand edits that drifted the target since.
enum DemoScene {
    struct Author {
        let name: String
        let email: String
        var ident: String { "\(name) <\(email)>" }
    }

    /// One commit: its message, who made it and when, and the files it writes.
    struct Change {
        let message: String
        let author: Author
        /// How long before the demo was made.
        let age: TimeInterval
        var write: [String: String] = [:]
    }

    static let ada = Author(name: "Ada Lindqvist", email: "ada@example.org")
    static let bruno = Author(name: "Bruno Costa", email: "bruno@example.org")
    static let chen = Author(name: "Chen Wei", email: "chen@example.org")
    static let dana = Author(name: "Dana Okafor", email: "dana@example.org")
    /// Who signs approvals and rollbacks in the demo when the operator has no git identity.
    static let operatorOfDemo = Author(name: "Demo Operator", email: "operator@example.org")

    static let hour: TimeInterval = 3600, day: TimeInterval = 86400

    /// The branch up to the commit the target was last synced to (the last one).
    static let applied: [Change] = [
        Change(message: "Declare nginx, the site and the status page", author: ada, age: 9 * day, write: [
            "resources/web.yaml": webManifest(statusPage: true),
            "files/nginx/nginx.conf": nginxConf(),
            "vars/web.yaml": webValues(connections: 1024),
            "files/www/index.html": "<!doctype html>\n<title>Example</title>\n<h1>Welcome</h1>\n",
            "files/www/about.html": "<!doctype html>\n<title>About</title>\n<p>Run by the web team.</p>\n",
            "resources/base.yaml": """
                # What every machine of ours gets.
                kind: File
                name: motd
                spec:
                  path: etc/motd
                  content: "This machine is managed by plumb: change it in git, not here.\\n"

                """,
            "policy.yaml": policy,
            "plumb.yaml": settings,
        ]),
        Change(message: "Add the app: its folder, settings and current release", author: bruno, age: 7 * day, write: [
            "resources/app.yaml": appManifest(release: "1.4.2", extraSetting: false),
        ]),
        Change(message: "Back up the database every night at 02:30", author: chen, age: 5 * day, write: [
            "resources/backup.yaml": backupManifest(keep: 7),
        ]),
        Change(message: "nginx: raise worker_connections to 4096", author: ada, age: 4 * day + 3 * hour, write: [
            "vars/web.yaml": webValues(connections: 4096),
        ]),
        Change(message: "Keep 14 days of database backups", author: bruno, age: 3 * day, write: [
            "resources/backup.yaml": backupManifest(keep: 14),
        ]),
    ]

    /// Pushed after the sync, then rolled back: its release broke the login page.
    static let broken = Change(message: "Release 1.5.0 of the app", author: chen, age: 2 * day, write: [
        "resources/app.yaml": appManifest(release: "1.5.0", extraSetting: true),
    ])

    /// Who rolled `broken` back, and when.
    static let rollback = (author: dana, age: 1 * day + 6 * hour)

    /// The head of the branch: the status page retired (an extra on the target), log rotation added
    /// (missing there).
    static let head = Change(message: "Retire the status page; rotate the app's logs", author: ada, age: 3 * hour, write: [
        "resources/web.yaml": webManifest(statusPage: false),
        "resources/logs.yaml": """
            kind: File
            name: app-logrotate
            spec:
              path: etc/logrotate.d/app
              content: |
                /srv/app/log/*.log {
                    daily
                    rotate 14
                    compress
                }

            """,
    ])

    /// Open proposals: the first passes policy, the second breaks `no-world-writable`.
    static let proposals: [(name: String, change: Change)] = [
        ("tls-redirect", Change(message: "Redirect plain HTTP to HTTPS", author: ada, age: 2 * hour, write: [
            "files/nginx/nginx.conf": nginxConf(redirect: true),
        ])),
        ("open-uploads", Change(message: "Let the uploader write to srv/uploads", author: bruno, age: 40 * 60, write: [
            "resources/uploads.yaml": """
                kind: Directory
                name: uploads
                spec:
                  path: srv/uploads
                  mode: "0777"

                """,
        ])),
    ]

    /// What someone did on the machine by hand since the sync, relative to the target.
    static let handEdits = (
        append: (path: "etc/nginx/nginx.conf", text: "worker_processes 64;  # quick fix, friday night\n"),
        chmod: (path: "etc/motd", mode: 0o666 as mode_t),
        delete: "srv/www/about.html",
        create: (path: "srv/www/debug.php", text: "<?php phpinfo();\n"),
        /// An editor's swap file: the Directory ignores it, so it is neither drift nor extra.
        ignored: (path: "srv/www/.index.html.swp", text: "vim swap\n")
    )

    static func webManifest(statusPage: Bool) -> String {
        var text = """
            # The web front: nginx and the pages it serves. The config is a template: its values
            # come from vars/web.yaml (and hosts/<host>.yaml, and facts such as host.name).
            kind: File
            name: nginx-conf
            spec:
              path: etc/nginx/nginx.conf
              source: files/nginx/nginx.conf
              template: true
            ---
            # Every file under files/www becomes a resource of its own; editors' swap files are
            # neither deployed nor reported.
            kind: Directory
            name: www
            spec:
              path: srv/www
              source: files/www
              ignore: ["*.swp"]
            ---
            # Runs after each change of the nginx config in a sync, never on its own: on this demo
            # machine it checks the config and notes the reload a real host would do.
            kind: Command
            name: nginx-reload
            spec:
              run: ["sh", "-c", "grep -q worker_connections etc/nginx/nginx.conf && echo 'nginx -s reload'"]
              onChangeOf: [File/nginx-conf]

            """
        if statusPage {
            text += """
                ---
                kind: File
                name: status-page
                spec:
                  path: srv/status/index.html
                  content: "<h1>All systems normal</h1>\\n"

                """
        }
        return text
    }

    static func webValues(connections: Int) -> String {
        "# Values the templates of the web front use.\nworker_connections: \(connections)\n"
    }

    /// nginx's config as a Mustache template.
    static func nginxConf(redirect: Bool = false) -> String {
        let server = redirect ? """
                server {
                    listen 80 default_server;
                    return 301 https://$host$request_uri;
                }
                server {
                    listen 443 ssl default_server;
                    root /srv/www;
                }
            """ : """
                server {
                    listen 80 default_server;
                    root /srv/www;
                }
            """
        return """
            # {{host.name}}: rendered by plumb from files/nginx/nginx.conf; change it in git.
            user www-data;
            events {
                worker_connections {{worker_connections}};
            }
            http {
            \(server)
            }

            """
    }

    static func appManifest(release: String, extraSetting: Bool) -> String {
        """
        kind: Directory
        name: app
        spec:
          path: srv/app
          mode: "0750"
        ---
        # Holds a password: never shown in any diff or view.
        kind: File
        name: app-env
        spec:
          path: srv/app/app.env
          mode: "0640"
          sensitive: true
          content: |
            DATABASE_URL=postgres://app:correct-horse@db.internal/app
        \(extraSetting ? "    SESSION_STORE=redis://cache.internal\n" : "")---
        kind: Symlink
        name: app-current
        spec:
          path: srv/app/current
          target: releases/\(release)

        """
    }

    static func backupManifest(keep: Int) -> String {
        """
        kind: File
        name: db-backup
        spec:
          path: etc/cron.d/db-backup
          content: "30 2 * * * root /usr/local/bin/db-backup --keep \(keep)\\n"

        """
    }

    static let policy = """
        # Every proposal must pass these rules before it can be approved. plumb reads them from
        # the head of main, never from the proposal under review.
        rules:
          - name: no-world-writable
            kinds: [File, Directory]
            field: spec.mode
            deny-regex: "[2367]$"
            message: files and folders must not be world-writable
          - name: no-password-files
            field: spec.path
            deny-glob: "etc/shadow*"
          - name: small-changes
            max-deletes: 3
        # Checks run on a checkout of each proposal merged into main ({tree}); each must exit 0.
        # A real one would be ["nginx", "-t", "-p", "{tree}", "-c", "{tree}/files/nginx/nginx.conf"].
        checks:
          - name: nginx-events-block
            run: ["grep", "-q", "^events {", "{tree}/files/nginx/nginx.conf"]
            timeout: 10s

        """

    static let settings = """
        # How the engine runs: look at the source every 30 seconds; show drift, mend it only on request.
        interval: 30s
        autoSync: false

        """
}
