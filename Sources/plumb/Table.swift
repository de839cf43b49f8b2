/// Left-aligned columns for terminal output, each as wide as its widest cell (capped).
struct Table {
    var rows: [[String]] = []
    let maxWidth = 48

    mutating func add(_ cells: [String]) { rows.append(cells) }

    func render() -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { column in min(maxWidth, rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0) }
        return rows.map { row in
            row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: max(widths[index], cell.count), withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}
