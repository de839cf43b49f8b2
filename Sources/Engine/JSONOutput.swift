import Foundation
import VersionSource

/// plumb's JSON output: `Encodable` documents (`OutputDocuments.swift`) through `JSONEncoder`,
/// keys sorted, two-space indents when pretty. JSONEncoder escapes the C0 controls; the other
/// characters that drive a terminal (DEL, C1, bidi overrides) are escaped here too, so that JSON
/// printed to a terminal is as safe as the text output.
public enum JSONOutput {
    public static func encode(_ value: some Encodable, pretty: Bool) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        // Every document is made of strings, numbers and booleans: encoding them cannot fail.
        let data = try! encoder.encode(value)
        let text = String(decoding: data, as: UTF8.self)
        guard text.unicodeScalars.contains(where: { $0.value >= 0x7F && $0.drivesTerminal }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            guard scalar.value >= 0x7F && scalar.drivesTerminal else { out.unicodeScalars.append(scalar); continue }
            for unit in String(scalar).utf16 {
                let hex = String(unit, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            }
        }
        return out
    }
}

/// An optional written as `null` when absent, rather than left out.
@propertyWrapper
public struct Nullable<Value: Encodable>: Encodable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// One event as JSON: a line of `plumb events --json`, and what an alert delivers.
public struct EventJSON: Encodable {
    let time, level, reason: String
    @Nullable var resource: String?
    @Nullable var revision: String?
    let message: String

    public init(_ event: Event) {
        (time, level, reason) = (event.timestamp, event.level.rawValue, event.reason.rawValue)
        (resource, revision, message) = (event.resource, event.revision, event.message)
    }
}
