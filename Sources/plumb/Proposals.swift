import ArgumentParsing
import DesiredState
import Engine
import Foundation
import VersionSource

struct Proposals: Command {
    static let summary = CommandSummary(
        name: "proposals", abstract: "Open proposals (branches proposal/*), with mergeability, plan and policy verdict.",
        discussion: "Policy is read from the branch head's policy.yaml, never from the proposal.")

    var options = SourceOptions()
    var json = false

    static var parameters: [Parameter<Proposals>] {
        Parameter.group(\.options) + [
            .flag(\.json, "json", help: "Print one JSON document."),
        ]
    }

    func run() async throws {
        try await reportingErrors {
            let engine = try await options.engine()
            if !options.noFetch { try await engine.fetch() }
            let reviews = try await engine.reviewProposals(head: try await engine.currentHead())
            if json {
                printJSON(reviews.map(ProposalJSON.init))
            } else if reviews.isEmpty {
                print("no open proposals")
            } else {
                let paint = options.paint
                print(reviews.map { Self.render($0, paint: paint) }.joined(separator: "\n\n"))
            }
        }
    }

    /// A proposal in a few lines: name, verdicts and counts, then each reason it fails.
    static func render(_ review: ProposalReview, paint: Paint = Paint(enabled: false)) -> String {
        let counts = Dictionary(grouping: review.changes, by: \.change).mapValues(\.count)
        let plan = [ResourceChange.Change.create, .update, .delete].map { "\(counts[$0] ?? 0) \($0.rawValue)" }.joined(separator: ", ")
        var lines = [
            "\(paint(review.proposal.branch.escapingControlCharacters, .bold))  \(paint(String(review.proposal.head.prefix(12)), .yellow))  \(review.title.escapingControlCharacters)",
            "  by \(review.author.escapingControlCharacters); \(review.ahead) ahead, \(review.behind) behind; "
                + "\(review.mergeable ? "merges cleanly" : paint("CONFLICTS", .red)); policy \(review.passesPolicy ? paint("passes", .green) : paint("FAILS", .red)); \(plan)",
        ]
        lines += review.refusals.map { "  - \($0)" }
        return lines.joined(separator: "\n")
    }
}
