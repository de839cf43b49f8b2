import DesiredState
import Foundation

/// JSON text for plumb's output: keys sorted, two-space indents when pretty. Written by hand
/// because Foundation's serializer takes over a second for ten thousand resources.
enum JSONText {
    static func encode(_ value: Any, pretty: Bool) -> String {
        var out = ""
        write(value, into: &out, indent: pretty ? 0 : nil)
        return out
    }

    private static func write(_ value: Any, into out: inout String, indent: Int?) {
        switch value {
        case let string as String: quote(string, into: &out)
        case let bool as Bool: out += bool ? "true" : "false"
        case let int as Int: out += String(int)
        case let int as Int64: out += String(int)
        case let double as Double: out += String(double)
        case let array as [Any]:
            container("[", "]", array.count, into: &out, indent: indent) { index, out, inner in
                write(array[index], into: &out, indent: inner)
            }
        case let object as [String: Any]:
            let keys = object.keys.sorted()
            container("{", "}", keys.count, into: &out, indent: indent) { index, out, inner in
                quote(keys[index], into: &out)
                out += inner == nil ? ":" : " : "
                write(object[keys[index]]!, into: &out, indent: inner)
            }
        default: out += "null"
        }
    }

    private static func container(_ open: String, _ close: String, _ count: Int, into out: inout String, indent: Int?,
                                  element: (Int, inout String, Int?) -> Void) {
        out += open
        guard count > 0 else { out += close; return }
        let inner = indent.map { $0 + 2 }
        for index in 0..<count {
            if index > 0 { out += "," }
            if let inner { out += "\n" + String(repeating: " ", count: inner) }
            element(index, &out, inner)
        }
        if let indent { out += "\n" + String(repeating: " ", count: indent) }
        out += close
    }

    private static func quote(_ string: String, into out: inout String) {
        out += "\""
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.drivesTerminal:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}
