import DesiredState
import Engine
import VersionSource

/// What a console list needs of the things it shows.
public protocol ListItem: Sendable {
    associatedtype Identity: Hashable & Sendable
    /// What the selection follows when the list changes under it.
    var identity: Identity { get }
    /// Every word its row shows, for `/`: ids, paths and status words.
    var words: SearchText { get }
    /// Not Synced and Healthy, failing, or a warning: what `o` keeps and `]` `[` visit.
    var wantsAttention: Bool { get }
}

/// How a step through the rows went: to another row, around the end to the other one, or
/// nowhere because no row qualifies.
public enum ListStep: Hashable, Sendable { case moved, wrapped, none }

/// One list of the console, the same for all four views: the items, the rows shown after the
/// filter, `o` and the view's own scope, the selection, the scroll, the detail of the
/// selection, and the requests in flight. Moving, filtering, jumping and counting are written
/// here once.
public struct ItemList<Item: ListItem>: Sendable {
    public private(set) var items: [Item] = []
    /// Indices into `items` of the rows shown, in order.
    public private(set) var rows: [Int] = []
    /// The selected row, an index into `rows`.
    public private(set) var cursor = 0
    /// The row at the top of the screen.
    public private(set) var top = 0
    /// The text typed after `/`; empty for none.
    public private(set) var filter = ""
    /// `o`: only the rows that want attention.
    public private(set) var onlyAttention = false
    /// The view's own narrowing (the events' level), nil for none.
    private var scope: (@Sendable (Item) -> Bool)?
    /// What `/` searches, one per item: built when a filter first needs it, not per refresh.
    private var search: [SearchText] = []

    /// The detail of the selection, when open.
    public var detail: Detail?
    /// The newest detail asked for: an answer to an older one is dropped.
    public private(set) var detailEpoch = 0
    /// The newest request for items, and whether one is in flight.
    public private(set) var epoch = 0
    public var loading = false

    public init() {}

    public var selected: Item? { rows.indices.contains(cursor) ? items[rows[cursor]] : nil }

    /// The item shown on row `row` of the list.
    public subscript(row row: Int) -> Item { items[rows[row]] }

    // MARK: Items

    /// A new request for items: its epoch, which the answer carries.
    public mutating func request() -> Int {
        epoch += 1
        loading = true
        return epoch
    }

    /// All items anew. The selection stays on the same item when `keepingSelection`, and where
    /// it is gone on the same row.
    public mutating func replace(with new: [Item], keepingSelection: Bool = true) {
        let selected = keepingSelection ? selectedIndex.map { (index: $0, identity: items[$0].identity) } : nil
        items = new
        search = []
        rebuild()
        guard let selected else { return }
        // Most refreshes hold the same items in the same order: look where it was first.
        if items.indices.contains(selected.index), items[selected.index].identity == selected.identity {
            selectItem(at: selected.index)
        } else if !select(selected.identity) {
            selectItem(at: selected.index)
        }
    }

    /// Items after the last. `merge` may fold a new item into the last one (a repeated event).
    public mutating func append(_ new: [Item], merging merge: ((Item, Item) -> Item?)? = nil) {
        let searched = search.count == items.count
        let first = items.count
        for item in new {
            if let merge, let last = items.last, let merged = merge(last, item) {
                items[items.count - 1] = merged
                if searched { search[search.count - 1] = merged.words }
            } else {
                items.append(item)
                if searched { search.append(item.words) }
            }
        }
        prepareSearch()
        let needle = SearchText.needle(filter)
        rows += (first..<items.count).filter { shows($0, needle) }
        clampCursor()
    }

    /// Keeps the newest `limit` items.
    public mutating func keepLast(_ limit: Int) {
        guard items.count > limit else { return }
        let dropped = items.count - limit
        items.removeFirst(dropped)
        if search.count > dropped { search.removeFirst(dropped) } else { search = [] }
        rows = rows.compactMap { $0 >= dropped ? $0 - dropped : nil }
        cursor = max(0, cursor - dropped)
        clampCursor()
    }

    // MARK: Which rows show

    /// Filters by `text`. When it only grew (a letter typed) only the rows shown are searched.
    public mutating func setFilter(_ text: String) {
        let narrowing = !filter.isEmpty && text.hasPrefix(filter)
        let selected = selectedIndex
        filter = text
        rebuild(from: narrowing ? rows : nil)
        if let selected { selectItem(at: selected) }
    }

    /// `o`: only what wants attention, or everything again. The selection stays where it can.
    public mutating func setOnlyAttention(_ on: Bool) {
        let selected = selectedIndex
        onlyAttention = on
        rebuild(from: on ? rows : nil)
        if let selected { selectItem(at: selected) }
    }

    /// The view's own narrowing, nil for none.
    public mutating func setScope(_ keep: (@Sendable (Item) -> Bool)?) {
        let selected = selectedIndex
        scope = keep
        rebuild()
        if let selected { selectItem(at: selected) }
    }

    private mutating func prepareSearch() {
        if !filter.isEmpty && search.count != items.count { search = items.map(\.words) }
    }

    private func shows(_ index: Int, _ needle: [UInt8]) -> Bool {
        (!onlyAttention || items[index].wantsAttention) && (scope?(items[index]) ?? true) && (needle.isEmpty || search[index].contains(needle))
    }

    private mutating func rebuild(from candidates: [Int]? = nil) {
        if filter.isEmpty && !onlyAttention && scope == nil {
            rows = Array(items.indices)
        } else if !onlyAttention && scope == nil {
            // Only the filter: the loop a hundred thousand rows go through as a letter is typed.
            prepareSearch()
            let needle = SearchText.needle(filter)
            rows = candidates.map { $0.filter { search[$0].contains(needle) } } ?? items.indices.filter { search[$0].contains(needle) }
        } else {
            prepareSearch()
            let needle = SearchText.needle(filter)
            rows = (candidates ?? Array(items.indices)).filter { shows($0, needle) }
        }
        clampCursor()
    }

    // MARK: Selection

    /// The index in `items` of the selection.
    private var selectedIndex: Int? { rows.indices.contains(cursor) ? rows[cursor] : nil }

    /// Selects the row of `items[index]`, or where it is not shown the row after it (the last
    /// row at the end). Rows are in item order: a binary search, not a scan.
    private mutating func selectItem(at index: Int) {
        var low = 0, high = rows.count
        while low < high {
            let middle = (low + high) / 2
            if rows[middle] < index { low = middle + 1 } else { high = middle }
        }
        cursor = low
        clampCursor()
    }

    /// Selects the row of the item with `identity`; false when no row shows it.
    @discardableResult
    public mutating func select(_ identity: Item.Identity) -> Bool {
        guard let row = rows.firstIndex(where: { items[$0].identity == identity }) else { return false }
        cursor = row
        return true
    }

    /// Moves the selection by `delta` rows, stopping at the ends.
    public mutating func move(by delta: Int) {
        cursor = max(0, min(rows.count - 1, cursor + delta))
    }

    public mutating func selectRow(_ row: Int) {
        cursor = row
        clampCursor()
    }

    /// The next (or previous) row, around the end to the other one: `n` and `N`.
    public mutating func step(forward: Bool) -> ListStep {
        guard rows.count > 1 else { return .none }
        let next = cursor + (forward ? 1 : -1)
        cursor = (next + rows.count) % rows.count
        return next == cursor ? .moved : .wrapped
    }

    /// The next (or previous) row that wants attention, around the end: `]` and `[`.
    public mutating func jumpToAttention(forward: Bool) -> ListStep {
        let count = rows.count
        guard count > 0 else { return .none }
        for distance in 1...count {
            let row = forward ? cursor + distance : cursor - distance
            let wrapped = row < 0 || row >= count
            let at = (row % count + count) % count
            guard items[rows[at]].wantsAttention else { continue }
            if at == cursor { return .none }
            cursor = at
            return wrapped ? .wrapped : .moved
        }
        return .none
    }

    /// The first row that wants attention, if any: where a console opens.
    public mutating func selectFirstWantingAttention() {
        if let row = rows.firstIndex(where: { items[$0].wantsAttention }) { cursor = row }
    }

    private mutating func clampCursor() {
        cursor = max(0, min(cursor, rows.count - 1))
    }

    /// Keeps the selection on screen, given `visible` rows.
    public mutating func scroll(visible: Int) {
        guard visible > 0 else { return }
        if cursor < top { top = cursor }
        if cursor >= top + visible { top = cursor - visible + 1 }
        top = max(0, min(top, max(0, rows.count - visible)))
    }

    // MARK: Detail

    /// Opens `detail` for the selection: the epoch an answer to fill it carries.
    public mutating func openDetail(_ detail: Detail) -> Int {
        detailEpoch += 1
        self.detail = detail
        return detailEpoch
    }

    /// The answer to the detail asked for at `epoch`; dropped when another was asked for since.
    public mutating func fillDetail(epoch: Int, _ fill: (inout Detail) -> Void) {
        guard epoch == detailEpoch, var detail else { return }
        fill(&detail)
        self.detail = detail
    }

    /// Scrolls the detail by `delta` lines, `visible` at a time.
    public mutating func scrollDetail(by delta: Int, visible: Int) {
        guard var detail else { return }
        detail.top = max(0, min(max(0, detail.lines.count - visible), detail.top + delta))
        self.detail = detail
    }
}

/// What every list tells whatever it holds: for the code that reads the current view.
public protocol AnyItemList: Sendable {
    var cursor: Int { get }
    var top: Int { get }
    var filter: String { get }
    var onlyAttention: Bool { get }
    var detail: Detail? { get }
    var loading: Bool { get }
    /// Rows shown, and items held.
    var shown: Int { get }
    var total: Int { get }
    var selectedIdentity: AnyHashable? { get }
    var selectedWantsAttention: Bool { get }
}

extension ItemList: AnyItemList {
    public var shown: Int { rows.count }
    public var total: Int { items.count }
    public var selectedIdentity: AnyHashable? { selected.map { AnyHashable($0.identity) } }
    public var selectedWantsAttention: Bool { selected?.wantsAttention ?? false }
}

/// What the code acting on the current view asks of its list, whatever it holds. A value, not a
/// call through an existential: the list runs it specialized for its items, which at 100,000
/// rows is several times faster than generic code reached through a witness table.
public enum ListOperation: Sendable {
    case move(by: Int)
    case selectRow(Int)
    case step(forward: Bool)
    case jumpToAttention(forward: Bool)
    case setFilter(String)
    case setOnlyAttention(Bool)
    case scroll(visible: Int)
    case scrollDetail(by: Int, visible: Int)
    case closeDetail
}

extension ItemList {
    /// Carries out `operation`: how a step or a jump went, `.moved` for the others.
    @discardableResult
    public mutating func perform(_ operation: ListOperation) -> ListStep {
        switch operation {
        case .move(let delta): move(by: delta)
        case .selectRow(let row): selectRow(row)
        case .step(let forward): return step(forward: forward)
        case .jumpToAttention(let forward): return jumpToAttention(forward: forward)
        case .setFilter(let text): setFilter(text)
        case .setOnlyAttention(let on): setOnlyAttention(on)
        case .scroll(let visible): scroll(visible: visible)
        case .scrollDetail(let delta, let visible): scrollDetail(by: delta, visible: visible)
        case .closeDetail: detail = nil
        }
        return .moved
    }
}

extension ConsoleState {
    /// The current view's list, to read.
    public var list: any AnyItemList {
        switch view {
        case .resources: return resources
        case .proposals: return proposals
        case .history: return history
        case .events: return events
        }
    }

    /// Carries out `operation` on the current view's list.
    @discardableResult
    public mutating func onList(_ operation: ListOperation) -> ListStep {
        switch view {
        case .resources: return resources.perform(operation)
        case .proposals: return proposals.perform(operation)
        case .history: return history.perform(operation)
        case .events: return events.perform(operation)
        }
    }
}
