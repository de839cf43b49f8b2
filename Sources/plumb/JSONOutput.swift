import Console
import Engine
import Foundation
import VersionSource

/// plumb's JSON output: `Encodable` documents (`OutputDocuments.swift`) through `JSONEncoder`,
/// keys sorted, two-space indents when pretty. JSONEncoder escapes the C0 controls; the other
/// characters that drive a terminal (DEL, C1, bidi overrides) are escaped here too, so that JSON
/// printed to a terminal is as safe as the text output.
enum JSONOutput {
    static func encode(_ value: some Encodable, pretty: Bool) -> String {
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

/// Prints one JSON document.
func printJSON(_ value: some Encodable) {
    print(JSONOutput.encode(value, pretty: true))
}
