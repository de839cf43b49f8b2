import ArgumentParsing
import Console
import DesiredState
import Engine
import Foundation

struct Events: Command {
    static let summary = CommandSummary(
        name: "events", abstract: "Show the event journal, oldest first.")

    var options = SourceOptions()
    var follow = false
    var count: Int?
    var resource: String?
    var json = false

    static var parameters: [Parameter<Events>] {
        Parameter.group(\.options) + [
            .flag(\.follow, "follow", short: "f", help: "Keep printing events as they are journalled, until interrupted."),
            .option(\.count, nil, short: "n", value: "N", help: "Only the newest N events."),
            .option(\.resource, "resource", value: "id", help: "Only the events of one resource, as Kind/name."),
            .flag(\.json, "json", help: "Print one JSON document per line."),
        ]
    }

    func validate() throws(UsageError) {
        if let count, count < 0 { throw UsageError("-n must be 0 or more, not \(count)") }
    }

    func run() async throws {
        try await reportingErrors {
            let stateDir = try options.stateDirectory()
            guard FileManager.default.fileExists(atPath: stateDir.database) else {
                throw StateError("there is no journal in \(stateDir.path) yet: run plumb status or plumb sync first")
            }
            let store = try StateStore(path: stateDir.database, use: .reading)
            let first = try store.events(resource: resource, last: count)
            let paint = options.paint
            for event in first { printEvent(event, paint) }
            guard follow else { return }
            // Follow from the newest event printed; with nothing printed, from the newest there is
            // only when -n 0 asked to skip the older ones.
            let last = try first.last?.sequence ?? (count == 0 ? store.events(last: 1).last?.sequence ?? 0 : 0)
            signal(SIGINT) { _ in _exit(0) }
            signal(SIGTERM) { _ in _exit(0) }
            let follower = try JournalFollower(store: store, stateDir: stateDir, after: last, resource: resource)
            while true {
                for event in try follower.next() { printEvent(event, paint) }
            }
        }
    }

    func printEvent(_ event: Event, _ paint: Paint) {
        if json {
            emit(JSONOutput.encode(EventJSON(event), pretty: false))
        } else {
            // Fixed widths keep the columns of a followed journal aligned without knowing what comes.
            func pad(_ text: String, _ width: Int) -> String { DisplayWidth.of(text) >= width ? text : DisplayWidth.padded(text, to: width) }
            let cells = [event.timestamp, paint(pad(event.level.rawValue, 7), Paint.style(event.level)), pad(event.reason.rawValue, 16),
                         pad((event.resource ?? "-").escapingControlCharacters, 24),
                         event.revision.map { String($0.prefix(12)) } ?? "-", event.message.escapingControlCharacters]
            emit(cells.joined(separator: "  "))
        }
    }

    /// Writes a line at once, unbuffered, so a follower sees each event as it comes.
    private func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}
