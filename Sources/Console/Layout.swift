/// Where each part of the screen goes for a state: shared by `update` (page sizes, scrolling,
/// mouse hits) and the views, so that both agree.
public struct Layout: Hashable, Sendable {
    /// Rows 0 and 1 are the header, row 2 the view tabs, the last row the footer.
    public static let bodyTop = 3

    public let width: Int
    public let height: Int
    /// The list: its first row on screen, its rows, its columns.
    public let listY: Int, listRows: Int, listX: Int, listWidth: Int
    /// The detail pane (diff, plan), when the view shows one: its box, title row included.
    public let detail: (x: Int, y: Int, width: Int, height: Int)?

    public static func == (a: Layout, b: Layout) -> Bool {
        a.width == b.width && a.height == b.height && a.listY == b.listY && a.listRows == b.listRows
            && a.listX == b.listX && a.listWidth == b.listWidth && a.detail?.x == b.detail?.x && a.detail?.y == b.detail?.y
            && a.detail?.width == b.detail?.width && a.detail?.height == b.detail?.height
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(width)
        hasher.combine(height)
        hasher.combine(listRows)
    }

    /// Wide screens put the detail beside the list, others below it: from 160 columns, so that
    /// the list keeps about 96 of them and an id and a path each about 30 (at 140, beside, they
    /// would have 17; below, at 140, they have 52).
    public static let sideBySideWidth = 160

    public init(_ state: ConsoleState) {
        width = state.width
        height = state.height
        let body = max(0, height - Self.bodyTop - 1)
        // Row `bodyTop` holds the column titles of the list.
        let hasDetail = state.detailShown
        listX = 0
        if !hasDetail {
            (listY, listRows, listWidth) = (Self.bodyTop + 1, max(0, body - 1), width)
            detail = nil
        } else if width >= Self.sideBySideWidth {
            let listWidth = width * 3 / 5
            (listY, listRows, self.listWidth) = (Self.bodyTop + 1, max(0, body - 1), listWidth)
            detail = (listWidth, Self.bodyTop, width - listWidth, body)
        } else {
            let listPart = max(3, body * 2 / 5)
            (listY, listRows, listWidth) = (Self.bodyTop + 1, max(0, listPart - 1), width)
            detail = (0, Self.bodyTop + listPart, width, body - listPart)
        }
    }

    /// Rows of text the detail pane shows, below its title.
    public var detailRows: Int { max(0, (detail?.height ?? 1) - 1) }
}

extension ConsoleState {
    /// Whether the current view shows a detail pane.
    public var detailShown: Bool {
        view == .resources || list.detail != nil
    }
}
