import ArgumentParsing
import Console
import DesiredState
import Engine
import Foundation
import VersionSource

struct History: Command {
    static let summary = CommandSummary(
        name: "history", abstract: "The commits of the branch, newest first, the applied one marked with *.",
        discussion: "Shown as git writes them, a page at a time. Rollbacks and approvals name what they restored or who approved.")

    var options = SourceOptions()
    var count: Int?
    var json = false

    static var parameters: [Parameter<History>] {
        Parameter.group(\.options) + [
            .option(\.count, nil, short: "n", value: "N", help: "Show only the newest N commits."),
            .flag(\.json, "json", help: "Print one JSON document."),
        ]
    }

    func validate() throws(UsageError) {
        if let count, count < 1 { throw UsageError("-n must be 1 or more, not \(count)") }
    }

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine(use: .reading)
            if !options.noFetch { try await engine.fetch() }
            var printer = Printer(json: json, applied: try engine.appliedRevision(), paint: options.paint)
            try await engine.history(limit: count) { printer.print($0) }
            printer.finish()
        }
    }

    /// Writes commits as they come: lines, or the elements of one JSON array.
    struct Printer {
        let json: Bool
        let applied: String?
        let paint: Paint
        var count = 0

        mutating func print(_ commits: [Commit]) -> Bool {
            var text = ""
            for commit in commits {
                if json {
                    text += (count == 0 ? "[\n  " : ",\n  ") + JSONOutput.encode(CommitJSON(commit, applied: applied), pretty: false)
                } else {
                    text += History.line(commit, applied: applied, paint: paint) + "\n"
                }
                count += 1
            }
            FileHandle.standardOutput.write(Data(text.utf8))
            return true
        }

        func finish() {
            if json { FileHandle.standardOutput.write(Data((count == 0 ? "[]\n" : "\n]\n").utf8)) }
        }
    }

    /// `* 1a2b3c4d5e6f  2026-11-27  Alice  Subject  (rollback of 0f0f0f0f0f0f)`; every text from
    /// git with its control characters escaped.
    static func line(_ commit: Commit, applied: String?, paint: Paint = Paint(enabled: false)) -> String {
        var notes: [String] = []
        if let of = commit.rollbackOf { notes.append("rollback of \(of.prefix(12))") }
        if let by = commit.approvedBy { notes.append("approved by \(by)") }
        let author = commit.author.escapingControlCharacters
        let padded = DisplayWidth.padded(author, to: 16)
        let subject = commit.subject.isEmpty ? "(no subject)" : commit.subject
        return "\(commit.sha == applied ? paint("*", .green) : " ") \(paint(commit.short, .yellow))  \(commit.day)  \(padded)  \(subject.escapingControlCharacters)"
            + (notes.isEmpty ? "" : "  (\(notes.joined(separator: "; ").escapingControlCharacters))")
    }
}
