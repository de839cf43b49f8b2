/// Left-aligned columns for terminal output, each as wide as its widest cell (capped).
/// Widths count Unicode scalars: exact for the ASCII that ids, paths and words mostly are.
struct Table {
    var rows: [[String]] = []
    let maxWidth = 48

    mutating func add(_ cells: [String]) { rows.append(cells) }

    func render() -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        var widths = [Int](repeating: 0, count: columns)
        for row in rows {
            for (column, cell) in row.enumerated() { widths[column] = min(maxWidth, max(widths[column], cell.unicodeScalars.count)) }
        }
        var out = ""
        for row in rows {
            for (column, cell) in row.enumerated() {
                out += cell
                if column < row.count - 1 {
                    out += String(repeating: " ", count: max(0, widths[column] - cell.unicodeScalars.count) + 2)
                }
            }
            out += "\n"
        }
        out.removeLast()
        return out
    }
}
