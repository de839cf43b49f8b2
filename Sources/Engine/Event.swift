import Foundation
import DesiredState

/// One entry of the journal, with the reasons and levels SPEC names.
public struct Event: Sendable, Hashable {
    public typealias Level = EventLevel
    public typealias Reason = EventReason

    /// The journal's order; 0 until written.
    public var sequence: Int64 = 0
    public var time: Date
    public var level: Level
    public var reason: Reason
    public var resource: String?
    public var revision: String?
    public var message: String

    public init(_ reason: Reason, _ level: Level, resource: ResourceID? = nil, revision: String? = nil, message: String, time: Date = Date()) {
        self.init(sequence: 0, time: time, level: level, reason: reason, resource: resource?.description, revision: revision, message: message)
    }

    init(sequence: Int64, time: Date, level: Level, reason: Reason, resource: String?, revision: String?, message: String) {
        self.sequence = sequence
        self.time = time
        self.level = level
        self.reason = reason
        self.resource = resource
        self.revision = revision
        self.message = message
    }

    /// RFC 3339 in UTC, to the millisecond.
    public var timestamp: String {
        time.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
