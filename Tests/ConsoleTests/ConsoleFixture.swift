import Console
import DesiredState
import Engine
import Foundation
import VersionSource

/// A console state with something of everything: resources of each status, proposals that pass,
/// fail and conflict, a history with a rollback and an approval, and events with repeats.
enum ConsoleFixture {
    static let now = Date(timeIntervalSince1970: 1_795_000_000)
    static let head = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    static let applied = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567"

    static func resource(_ name: String, _ path: String, kind: String = "File") -> DesiredResource {
        DesiredResource(id: ResourceID(kind: kind, name: name), path: path,
                        shape: kind == "Directory" ? .directory(DirectorySpec(mode: 0o755)) : .file(blob: "b-\(name)", inline: nil, mode: 0o644),
                        sensitive: false, origin: SourceLocation(file: "resources/\(name).yaml", line: 1, column: 1))
    }

    static var statuses: [ResourceStatus] {
        [
            ResourceStatus.compare(resource("app", "srv/app", kind: "Directory"), .directory(mode: 0o755)),
            ResourceStatus.compare(resource("app/config.ini", "srv/app/config.ini"), .file(blob: "other", mode: 0o644, size: 10)),
            ResourceStatus.compare(resource("motd", "etc/motd"), .file(blob: "b-motd", mode: 0o644, size: 10)),
            ResourceStatus.compare(resource("issue", "etc/issue"), .absent),
            ResourceStatus.extra(ResourceID(kind: "File", name: "old.conf"), path: "etc/old.conf", observed: .file(blob: "x", mode: 0o644, size: 3), owner: nil, applied: nil),
            ResourceStatus.compare(resource("日本語", "srv/日本語.txt"), .unobservable("a parent is a symlink")),
        ].sorted { $0.path < $1.path }
    }

    static var snapshot: Snapshot {
        Snapshot(head: head, applied: applied, desired: DesiredState(revision: head, resources: [], settings: Settings()), statuses: statuses)
    }

    static var reviews: [ProposalReview] {
        [
            ProposalReview(proposal: ProposalBranch(name: "bigger-motd", head: "1111111111111111111111111111111111111111"), base: head,
                           title: "Say more in the motd", author: "Ada", ahead: 1, behind: 0, merge: .clean(tree: "t1"),
                           changes: [ResourceChange(id: ResourceID(kind: "File", name: "motd"), change: .update, resource: nil)], violations: []),
            ProposalReview(proposal: ProposalBranch(name: "open-perms", head: "2222222222222222222222222222222222222222"), base: head,
                           title: "Let everyone write the config", author: "Mallory", ahead: 2, behind: 1, merge: .clean(tree: "t2"),
                           changes: [ResourceChange(id: ResourceID(kind: "File", name: "app/config.ini"), change: .update, resource: nil)],
                           violations: [Violation(rule: "no-world-writable", resource: ResourceID(kind: "File", name: "app/config.ini"),
                                                  message: "files must not be world-writable (spec.mode 0666)"),
                                        Violation(rule: "check ini-syntax", resource: nil, message: "exit 1: line 3: no section header")],
                           checks: [CheckRun(name: "ini-syntax", outcome: .failed(exit: 1), output: "reading files/app/config.ini\nline 3: no section header"),
                                    CheckRun(name: "size", outcome: .passed, output: "")]),
        ]
    }

    static var commits: [Commit] {
        [
            Commit(sha: head, author: "Olga Operator", time: now.addingTimeInterval(-120), subject: "Approve proposal/tidy: tidy the motd",
                   approvedBy: "Olga Operator <olga@example.com>"),
            Commit(sha: "3333333333333333333333333333333333333333", author: "Olga Operator", time: now.addingTimeInterval(-3600),
                   subject: "Roll back to 444444444444: add the app", rollbackOf: "4444444444444444444444444444444444444444"),
            Commit(sha: applied, author: "Ada", time: now.addingTimeInterval(-7200), subject: "Declare motd and issue"),
            Commit(sha: "4444444444444444444444444444444444444444", author: "Ada", time: now.addingTimeInterval(-86400), subject: "add the app \u{1b}[31m"),
        ]
    }

    static var events: [Event] {
        [
            Event(.newRevision, .info, revision: head, message: "main is at a1b2c3d4e5f6", time: now.addingTimeInterval(-300)),
            Event(.driftDetected, .warning, resource: ResourceID(kind: "File", name: "issue"), revision: head, message: "missing: declared, absent from the target", time: now.addingTimeInterval(-200)),
            Event(.fetchFailed, .error, message: "fetching /srv/git/site.git failed: not found", time: now.addingTimeInterval(-100)),
            Event(.fetchFailed, .error, message: "fetching /srv/git/site.git failed: not found", time: now.addingTimeInterval(-90)),
            Event(.fetchFailed, .error, message: "fetching /srv/git/site.git failed: not found", time: now.addingTimeInterval(-80)),
        ]
    }

    /// A console that has received everything above.
    static func state(width: Int = 80, height: Int = 24, autoSync: Bool = true) -> ConsoleState {
        var state = ConsoleState(width: width, height: height, now: now, source: "/srv/git/site.git", branch: "main",
                                 mode: EngineMode(autoSync: autoSync), themeName: "default")
        _ = Update.update(&state, .snapshot(snapshot, at: now.addingTimeInterval(-3)))
        _ = Update.update(&state, .journal(events))
        _ = Update.update(&state, .proposalsLoaded(epoch: state.proposals.epoch, reviews))
        _ = Update.update(&state, .historyLoaded(epoch: state.history.epoch, skip: 0, commits, complete: true))
        return state
    }

    @discardableResult
    static func press(_ keys: [Key], _ state: inout ConsoleState) -> [Effect] {
        keys.flatMap { Update.update(&state, .input(.key($0))) }
    }
}
