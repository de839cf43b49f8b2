/// A unified diff of two texts, with hunk headers and three lines of context.
public enum UnifiedDiff {
    public static func lines(old: String, new: String, context: Int = 3) -> [String] {
        let a = split(old), b = split(new)
        let difference = b.difference(from: a)
        var removed = Set<Int>(), inserted = Set<Int>()
        for change in difference {
            switch change {
            case .remove(let offset, _, _): removed.insert(offset)
            case .insert(let offset, _, _): inserted.insert(offset)
            }
        }
        // The edit script: (" " | "-" | "+", old index, new index).
        var script: [(Character, Int, Int)] = []
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if i < a.count && removed.contains(i) { script.append(("-", i, j)); i += 1 }
            else if j < b.count && inserted.contains(j) { script.append(("+", i, j)); j += 1 }
            else { script.append((" ", i, j)); i += 1; j += 1 }
        }
        var output: [String] = []
        var index = 0
        while let start = script[index...].firstIndex(where: { $0.0 != " " }) {
            var end = start
            // One hunk while at most twice the context lies unchanged between two changes.
            while let next = script[(end + 1)...].firstIndex(where: { $0.0 != " " }), next - end - 1 <= 2 * context { end = next }
            let from = max(index, start - context), to = min(script.count - 1, end + context)
            let slice = script[from...to]
            let oldCount = slice.filter { $0.0 != "+" }.count, newCount = slice.filter { $0.0 != "-" }.count
            let oldStart = oldCount == 0 ? slice.first!.1 : slice.first!.1 + 1
            let newStart = newCount == 0 ? slice.first!.2 : slice.first!.2 + 1
            output.append("@@ -\(oldStart),\(oldCount) +\(newStart),\(newCount) @@")
            for (op, oi, ni) in slice {
                let line = op == "+" ? b[ni] : a[oi]
                output.append(String(op) + line.text)
                if !line.newline { output.append("\\ No newline at end of file") }
            }
            index = to + 1
            if index >= script.count { break }
        }
        return output
    }

    struct Line: Hashable {
        let text: String
        let newline: Bool
    }

    static func split(_ text: String) -> [Line] {
        var parts = text.split(separator: "\n", omittingEmptySubsequences: false).map { Line(text: String($0), newline: true) }
        if parts.last?.text == "" { parts.removeLast() } else if let last = parts.popLast() { parts.append(Line(text: last.text, newline: false)) }
        return parts
    }
}
