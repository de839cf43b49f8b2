import Foundation

/// One commit of the branch as history shows it, with what plumb recorded in its trailers.
public struct Commit: Sendable, Hashable {
    public let sha: String
    public let author: String
    public let time: Date
    /// The first line of the message, as git stored it (control characters are escaped on display).
    public let subject: String
    /// `Rollback-of:`: the revision a rollback restored.
    public let rollbackOf: String?
    /// `Approved-by:`: who approved the proposal this merge brought in.
    public let approvedBy: String?
    /// `Proposal-head:`: the proposal head an approval merged.
    public let proposalHead: String?

    public init(sha: String, author: String, time: Date, subject: String, rollbackOf: String? = nil, approvedBy: String? = nil, proposalHead: String? = nil) {
        self.sha = sha
        self.author = author
        self.time = time
        self.subject = subject
        self.rollbackOf = rollbackOf
        self.approvedBy = approvedBy
        self.proposalHead = proposalHead
    }

    public var short: String { String(sha.prefix(12)) }

    /// The day of the commit in UTC, `2026-11-27`, as history lists show it. Read with `gmtime_r`:
    /// Foundation's date styles cost most of a millisecond to set up in every command that prints one.
    public var day: String {
        var seconds = time_t(time.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        guard gmtime_r(&seconds, &parts) != nil else { return "????-??-??" }
        func padded(_ n: Int32, _ width: Int) -> String {
            let digits = "\(n)"
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(parts.tm_year + 1900, 4))-\(padded(parts.tm_mon + 1, 2))-\(padded(parts.tm_mday, 2))"
    }

    /// The `git log --format` that `parse` reads: fields separated by NUL, and with `-z` commits too.
    static let format = ["%H", "%an", "%at", "%s",
                         "%(trailers:key=Rollback-of,valueonly,separator=%x2C)",
                         "%(trailers:key=Approved-by,valueonly,separator=%x2C)",
                         "%(trailers:key=Proposal-head,valueonly,separator=%x2C)"].joined(separator: "%x00")
    static let fieldCount = 7

    /// Reads commits from `git log -z --format=<format>` output; returns them and how many bytes
    /// were used, so a stream can keep the rest for the next chunk. `final` says no more comes.
    package static func parse(_ bytes: ArraySlice<UInt8>, final: Bool) -> (commits: [Commit], used: Int) {
        var commits: [Commit] = []
        var fields: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex, recordStart = bytes.startIndex
        func finishRecord() {
            if fields.count == fieldCount, let commit = Commit(fields: fields) { commits.append(commit) }
            fields.removeAll(keepingCapacity: true)
        }
        for i in bytes.indices where bytes[i] == 0 {
            fields.append(bytes[start..<i])
            start = i + 1
            if fields.count == fieldCount {
                finishRecord()
                recordStart = start
            }
        }
        if final {
            if start < bytes.endIndex || !fields.isEmpty { fields.append(bytes[start...]) }
            finishRecord()
            return (commits, bytes.count)
        }
        return (commits, recordStart - bytes.startIndex)
    }

    private init?(fields: [ArraySlice<UInt8>]) {
        func text(_ i: Int) -> String { String(decoding: fields[i], as: UTF8.self) }
        func optional(_ i: Int) -> String? {
            let value = text(i).trimmingCharacters(in: .whitespacesAndNewlines)
            return value.isEmpty ? nil : value
        }
        let sha = text(0).trimmingCharacters(in: .whitespacesAndNewlines)
        guard sha.count >= 40, let seconds = TimeInterval(text(2)) else { return nil }
        self.sha = sha
        author = text(1)
        time = Date(timeIntervalSince1970: seconds)
        subject = text(3)
        rollbackOf = optional(4)
        approvedBy = optional(5)
        proposalHead = optional(6)
    }
}

/// A commit's whole message (subject, body and trailers, as git stores it) and its people.
public struct CommitMessage: Sendable, Hashable {
    public let author: String
    public let authored: Date
    public let committer: String
    public let committed: Date
    public let body: String

    public init(author: String, authored: Date, committer: String, committed: Date, body: String) {
        self.author = author
        self.authored = authored
        self.committer = committer
        self.committed = committed
        self.body = body
    }
}
