import Console

/// Left-aligned columns for terminal output, each as wide as its widest cell (capped), measured
/// in terminal columns as the console measures them (`DisplayWidth`): wide CJK takes two.
struct Table {
    private var rows: [[(text: String, width: Int, style: Paint.Style?)]] = []
    private var widths: [Int] = []
    let maxWidth = 48

    var isEmpty: Bool { rows.isEmpty }

    /// A row; `styles` colour its cells (by position, nil: plain) when the table is painted.
    mutating func add(_ cells: [String], styles: [Paint.Style?] = []) {
        let row = cells.enumerated().map { (text: $1, width: DisplayWidth.of($1), style: styles.indices.contains($0) ? styles[$0] : nil) }
        for (column, cell) in row.enumerated() {
            if column == widths.count { widths.append(0) }
            widths[column] = min(maxWidth, max(widths[column], cell.width))
        }
        rows.append(row)
    }

    func render(_ paint: Paint = Paint(enabled: false)) -> String {
        // Built as bytes with room reserved: ten thousand rows cost a few milliseconds.
        var out: [UInt8] = []
        out.reserveCapacity(rows.count * (widths.reduce(0, +) + 2 * widths.count + 1))
        for (index, row) in rows.enumerated() {
            if index > 0 { out.append(10) }
            for (column, cell) in row.enumerated() {
                out.append(contentsOf: (cell.style == nil ? cell.text : paint(cell.text, cell.style)).utf8)
                if column < row.count - 1 {
                    out.append(contentsOf: repeatElement(32, count: max(0, widths[column] - cell.width) + 2))
                }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
