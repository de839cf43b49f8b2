import DesiredState
import Engine
import Foundation
import VersionSource

/// The console's core: a new state and the effects to run, from the state and one event. Pure:
/// no terminal, no git, no disk; the shell runs the effects and feeds their results back.
public enum Update {
    public static func update(_ state: inout ConsoleState, _ event: ConsoleEvent) -> [Effect] {
        switch event {
        case .input(let input): return handle(input, &state)
        case .tick(let now): state.now = now; return []
        case .snapshot(let snapshot, let at): return received(snapshot, at: at, &state)
        case .engineProblem(let problem): state.engineProblem = problem; return []
        case .modeChanged(let mode): state.mode = mode; return []
        case .diffLoaded(let epoch, let lines):
            guard epoch == state.diffEpoch, var detail = state.resourceDetail else { return [] }
            detail.lines = DetailText.diff(lines)
            state.resourceDetail = detail
            return []
        case .proposalsLoaded(let epoch, let reviews):
            guard epoch == state.proposalsEpoch else { return [] }
            state.proposals = reviews
            state.proposalsLoading = false
            rebuildProposalRows(&state)
            return []
        case .proposalDiffLoaded(let epoch, let lines):
            guard epoch == state.proposalsEpoch, var detail = state.proposalDetail else { return [] }
            detail.lines += [("", .normal)] + DetailText.diff(lines)
            state.proposalDetail = detail
            return []
        case .historyLoaded(let epoch, let skip, let commits, let complete):
            guard epoch == state.historyEpoch, skip == 0 || skip == state.commits.count else { return [] }
            // A first page replaces what was shown. The selection stays on its commit, but on the
            // newest row it stays on the newest: the top follows the head, as the events' end does.
            let selected = skip == 0 && state.historyList.cursor > 0 ? selectedCommit(state)?.sha : nil
            if skip == 0 {
                state.commits = []
                state.commitSearch = []
            }
            state.commits += commits
            state.commitSearch += commits.map { SearchText($0.sha, $0.subject, $0.author) }
            state.historyComplete = complete
            state.historyLoading = false
            state.loadProblem = nil
            rebuildCommitRows(&state)
            if let selected, let row = state.commitRows.firstIndex(where: { state.commits[$0].sha == selected }) {
                state.historyList.cursor = row
                state.historyList.scroll(rows: Layout(state).listRows, count: state.commitRows.count)
            }
            return []
        case .commitLoaded(let epoch, let commit):
            guard epoch == state.historyEpoch, var detail = state.commitDetail else { return [] }
            detail.lines = DetailText.commit(commit, width: max(20, (Layout(state).detail?.width ?? state.width) - 2))
            state.commitDetail = detail
            return []
        case .journal(let events): return journal(events, &state)
        case .syncPlanned(let summary):
            state.dialog = Dialogs.syncAll(summary, branch: state.branch)
            return []
        case .rollbackPlanned(let plan):
            state.dialog = Dialogs.rollback(plan, branch: state.branch)
            return []
        case .done(let message): state.flash = (message, .info); return []
        case .failed(let message):
            state.flash = (message, .error)
            // Whatever was being read is not coming: the views say why instead of waiting.
            state.loadProblem = message
            state.historyLoading = false
            state.proposalsLoading = false
            return []
        case .terminate: return quit(&state)
        }
    }

    // MARK: Input

    static func handle(_ input: InputEvent, _ state: inout ConsoleState) -> [Effect] {
        switch input {
        case .resize(let width, let height):
            state.width = width
            state.height = height
            rescroll(&state)
            return []
        case .mouse(let action): return state.tooSmall || state.dialog != nil ? [] : mouse(action, &state)
        case .key(let key): return self.key(key, &state)
        }
    }

    static func key(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
        if state.tooSmall {
            return key == .char("q") || key == .ctrl("c") ? quit(&state) : []
        }
        if let dialog = state.dialog {
            // Only `y` confirms; any other key cancels, so a stray key never changes anything.
            state.dialog = nil
            if key == .ctrl("c") { return quit(&state) }
            guard let confirm = dialog.confirm else { return [] }
            if key == .char("y") { return [confirm] }
            state.flash = ("cancelled; nothing changed", .muted)
            return []
        }
        if state.help {
            state.help = false
            return key == .ctrl("c") ? quit(&state) : []
        }
        if state.prompt != nil { return typed(key, &state) }
        state.flash = nil
        guard let action = Keymap.action(for: key, in: state.view) else { return [] }
        return perform(action, &state)
    }

    static func quit(_ state: inout ConsoleState) -> [Effect] {
        state.quitting = true
        return [.quit]
    }

    static func perform(_ action: Action, _ state: inout ConsoleState) -> [Effect] {
        let layout = Layout(state)
        switch action {
        case .moveDown: return move(1, &state)
        case .moveUp: return move(-1, &state)
        case .pageDown: return move(state.detailFocused ? layout.detailRows : max(1, layout.listRows - 1), &state)
        case .pageUp: return move(-(state.detailFocused ? layout.detailRows : max(1, layout.listRows - 1)), &state)
        case .top: return move(-Int.max / 2, &state)
        case .bottom: return move(Int.max / 2, &state)
        case .open: return open(&state)
        case .back: return back(&state)
        case .nextPane:
            state.detailFocused = state.detailShown && !state.detailFocused
            return []
        case .show(let view): return show(view, &state)
        case .filter:
            state.prompt = Prompt(kind: .filter, text: list(of: state).filter)
            return []
        case .nextMatch: return move(1, &state)
        case .previousMatch: return move(-1, &state)
        case .syncSelected: return syncSelected(&state)
        case .syncAll:
            if let observer = observerRefusal(state) { state.flash = (observer, .warning); return [] }
            state.flash = ("planning the sync…", .muted)
            return [.planSyncAll]
        case .fetchNow:
            state.flash = ("fetching \(state.branch.escapingControlCharacters) from the source…", .muted)
            return [.fetchNow]
        case .togglePause:
            if let observer = observerRefusal(state) { state.flash = (observer, .warning); return [] }
            guard state.mode.autoSync else {
                // Nothing to pause: say what would turn it on instead of pretending.
                state.flash = ("auto-sync is off: nothing to pause (s, S or :sync mend drift)", .info)
                return []
            }
            state.mode.paused.toggle()
            state.flash = (state.mode.paused ? "auto-sync paused: drift is shown, not mended" : "auto-sync resumed", .info)
            return [.setPaused(state.mode.paused)]
        case .approve:
            guard let review = selectedProposal(state) else { return [] }
            state.dialog = Dialogs.approve(review, branch: state.branch)
            return []
        case .reject:
            // A reason first, one line, then the dialog: the journal says why, not only who.
            guard let review = selectedProposal(state) else { return [] }
            state.rejecting = review
            state.prompt = Prompt(kind: .rejectReason, text: "")
            return []
        case .rollback:
            guard let commit = selectedCommit(state) else { return [] }
            state.flash = ("planning the rollback to \(commit.short)…", .muted)
            return [.planRollback(commit)]
        case .toggleFollow:
            state.follow.toggle()
            if state.follow { state.eventList.cursor = max(0, state.eventRows.count - 1); rescroll(&state) }
            return []
        case .cycleLevel:
            state.minimumLevel = switch state.minimumLevel { case .info: .warning; case .warning: .error; case .error: .info }
            rebuildEventRows(&state)
            return []
        case .commandLine:
            state.prompt = Prompt(kind: .command, text: "")
            return []
        case .help:
            state.help = true
            return []
        case .quit: return quit(&state)
        }
    }

    static func observerRefusal(_ state: ConsoleState) -> String? {
        state.mode.observerOf.map { "observer only: \($0)" }
    }

    /// Moves the cursor of the focused list (or scrolls the detail), and loads what the new
    /// selection needs.
    static func move(_ delta: Int, _ state: inout ConsoleState) -> [Effect] {
        let layout = Layout(state)
        if state.detailFocused {
            func scrolled(_ detail: inout Detail?) {
                guard var d = detail else { return }
                d.top = max(0, min(max(0, d.lines.count - layout.detailRows), d.top + delta))
                detail = d
            }
            switch state.view {
            case .resources: scrolled(&state.resourceDetail)
            case .proposals: scrolled(&state.proposalDetail)
            case .history: scrolled(&state.commitDetail)
            case .events: scrolled(&state.eventDetail)
            }
            return []
        }
        switch state.view {
        case .resources:
            let before = state.resources.cursor
            state.resources.move(by: delta, count: state.resourceRows.count)
            state.resources.scroll(rows: layout.listRows, count: state.resourceRows.count)
            return before == state.resources.cursor && state.resourceDetail != nil ? [] : loadDiff(&state)
        case .proposals:
            state.proposalList.move(by: delta, count: state.proposalRows.count)
            state.proposalList.scroll(rows: layout.listRows, count: state.proposalRows.count)
            return []
        case .history:
            state.historyList.move(by: delta, count: state.commitRows.count)
            state.historyList.scroll(rows: layout.listRows, count: state.commitRows.count)
            return moreHistory(&state)
        case .events:
            state.eventList.move(by: delta, count: state.eventRows.count)
            state.eventList.scroll(rows: layout.listRows, count: state.eventRows.count)
            // Moving off the newest row stops following; coming back to it follows again.
            state.follow = state.eventList.cursor >= state.eventRows.count - 1
            if state.eventDetail != nil { openEvent(&state) }
            return []
        }
    }

    /// The next page of history when the cursor nears the end of what is loaded.
    static func moreHistory(_ state: inout ConsoleState) -> [Effect] {
        guard !state.historyComplete, !state.historyLoading, state.historyList.filter.isEmpty,
              state.historyList.cursor >= state.commits.count - 50 else { return [] }
        state.historyLoading = true
        return [.loadHistory(skip: state.commits.count, epoch: state.historyEpoch)]
    }

    static func loadDiff(_ state: inout ConsoleState) -> [Effect] {
        state.diffEpoch += 1
        guard let status = selectedStatus(state) else {
            state.resourceDetail = nil
            return []
        }
        let title = "\(status.id.description.escapingControlCharacters)  \(status.place.escapingControlCharacters)"
        // A Service or a Command always has something to tell: its state, its last actions; and
        // so has a Directory: what it ignores (counted on both sides), prunes and purges.
        if status.sync == .synced && status.isInTarget && status.desired?.kind != .directory {
            state.resourceDetail = Detail(title: title, lines: [("in sync: the target holds what is declared", .synced)])
            return []
        }
        state.resourceDetail = Detail(title: title, lines: [((status.message ?? "").escapingControlCharacters, .muted), ("reading the diff…", .muted)])
        return [.loadDiff(status, epoch: state.diffEpoch)]
    }

    static func open(_ state: inout ConsoleState) -> [Effect] {
        switch state.view {
        case .resources:
            state.detailFocused = state.detailShown
            return []
        case .events:
            if state.eventDetail != nil { state.detailFocused = true } else { openEvent(&state) }
            return []
        case .proposals:
            guard let review = selectedProposal(state) else { return [] }
            state.proposalDetail = Detail(title: review.proposal.branch.escapingControlCharacters, lines: DetailText.review(review))
            state.proposalsEpoch += 1
            rescroll(&state)
            return [.loadProposalDiff(review, epoch: state.proposalsEpoch)]
        case .history:
            guard let commit = selectedCommit(state) else { return [] }
            state.commitDetail = Detail(title: "\(commit.short)  \(commit.subject.escapingControlCharacters)", lines: [("reading the commit…", .muted)])
            rescroll(&state)
            return [.loadCommit(commit, epoch: state.historyEpoch)]
        }
    }

    /// The whole of the selected event in the detail pane: what its row cuts, with the date,
    /// the full revision, and the message wrapped at word boundaries.
    static func openEvent(_ state: inout ConsoleState) {
        guard state.eventRows.indices.contains(state.eventList.cursor) else { return }
        let row = state.eventRows[state.eventList.cursor]
        let event = row.event
        var lines: [(text: String, role: Role)] = [
            ("time      \(event.timestamp)", .normal),
            ("level     \(event.level.rawValue)", event.level == .error ? .error : event.level == .warning ? .warning : .normal),
            ("reason    \(event.reason.rawValue)", .normal),
            ("resource  \((event.resource ?? "-").escapingControlCharacters)", .normal),
            ("revision  \(event.revision ?? "-")", .muted),
        ]
        if row.count > 1 { lines.append(("repeated  \(row.count) times in a row (the newest shown)", .muted)) }
        lines.append(("", .normal))
        state.eventDetail = Detail(title: "\(event.reason.rawValue)  \((event.resource ?? "").escapingControlCharacters)", lines: lines)
        let width = max(20, (Layout(state).detail?.width ?? state.width) - 2)
        state.eventDetail?.lines += DisplayWidth.wrap(event.message.escapingControlCharacters, to: width).map { ($0, .normal) }
        rescroll(&state)
    }

    static func back(_ state: inout ConsoleState) -> [Effect] {
        if state.detailFocused {
            state.detailFocused = false
        } else if state.view == .proposals && state.proposalDetail != nil {
            state.proposalDetail = nil
        } else if state.view == .history && state.commitDetail != nil {
            state.commitDetail = nil
        } else if state.view == .events && state.eventDetail != nil {
            state.eventDetail = nil
        } else if !list(of: state).filter.isEmpty {
            return setFilter("", &state)
        }
        rescroll(&state)
        return []
    }

    static func show(_ view: ConsoleView, _ state: inout ConsoleState) -> [Effect] {
        state.view = view
        state.detailFocused = false
        rescroll(&state)
        switch view {
        case .proposals where state.proposals.isEmpty && !state.proposalsLoading: return reloadProposals(&state)
        case .history where state.commits.isEmpty && !state.historyLoading: return reloadHistory(&state)
        default: return []
        }
    }

    static func reloadProposals(_ state: inout ConsoleState) -> [Effect] {
        state.proposalsEpoch += 1
        state.proposalsLoading = true
        return [.loadProposals(epoch: state.proposalsEpoch)]
    }

    /// Loads the history again from its first page. What is shown stays, and keys keep acting
    /// on it, until that page replaces it: a new head never blanks the view under the operator.
    static func reloadHistory(_ state: inout ConsoleState) -> [Effect] {
        state.historyEpoch += 1
        state.historyComplete = false
        state.historyLoading = true
        return [.loadHistory(skip: 0, epoch: state.historyEpoch)]
    }

    static func syncSelected(_ state: inout ConsoleState) -> [Effect] {
        if let observer = observerRefusal(state) { state.flash = (observer, .warning); return [] }
        guard let status = selectedStatus(state) else { return [] }
        if let dialog = Dialogs.syncOne(status, ownerPurges: ownerPurges(status, state)) {
            state.dialog = dialog
            return []
        }
        let id = status.id.description.escapingControlCharacters
        state.flash = ("syncing \(id)…", .muted)
        return [.sync(ids: [status.id], prune: false)]
    }

    /// Whether the Directory an extra lies in says `purge: true`.
    static func ownerPurges(_ status: ResourceStatus, _ state: ConsoleState) -> Bool {
        guard let owner = status.owner, case .directory(let spec)? = state.statuses.first(where: { $0.id == owner })?.desired?.shape else { return false }
        return spec.purge
    }

    // MARK: Typing a filter or a command

    static func typed(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
        guard var prompt = state.prompt else { return [] }
        switch key {
        case .escape:
            state.prompt = nil
            state.rejecting = nil
            return prompt.kind == .filter ? setFilter("", &state) : []
        case .enter where prompt.kind == .rejectReason:
            let reason = prompt.text.trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty, let review = state.rejecting else {
                state.flash = ("say why it is rejected (Esc cancels)", .warning)
                return []
            }
            state.prompt = nil
            state.rejecting = nil
            state.dialog = Dialogs.reject(review, reason: reason)
            return []
        case .enter:
            state.prompt = nil
            return prompt.kind == .command ? command(prompt.text, &state) : []
        case .backspace:
            if prompt.text.isEmpty { state.prompt = nil; return [] }
            prompt.text.removeLast()
        case .tab where prompt.kind == .command:
            prompt.text = CommandLine.complete(prompt.text)
        case .ctrl("c"): return quit(&state)
        case .ctrl("u"): prompt.text = ""
        case .char(let character): prompt.text.append(character)
        default: return []
        }
        state.prompt = prompt
        return prompt.kind == .filter ? setFilter(prompt.text, &state) : []
    }

    static func command(_ text: String, _ state: inout ConsoleState) -> [Effect] {
        switch CommandLine.parse(text) {
        case .success(.quit): return quit(&state)
        case .success(.sync): return perform(.syncAll, &state)
        case .success(.theme(let name)): return [.setTheme(name)]
        case .success(.help): state.help = true; return []
        case .failure(let problem): state.flash = (problem.description, .error); return []
        }
    }

    static func setFilter(_ text: String, _ state: inout ConsoleState) -> [Effect] {
        switch state.view {
        case .resources:
            let previous = state.resources.filter
            state.resources.filter = text
            rebuildResourceRows(&state, previousFilter: previous)
            return loadDiff(&state)
        case .proposals:
            state.proposalList.filter = text
            rebuildProposalRows(&state)
        case .history:
            let previous = state.historyList.filter
            state.historyList.filter = text
            rebuildCommitRows(&state, previousFilter: previous)
        case .events:
            state.eventList.filter = text
            rebuildEventRows(&state)
        }
        return []
    }

    // MARK: Mouse

    static func mouse(_ action: MouseAction, _ state: inout ConsoleState) -> [Effect] {
        let layout = Layout(state)
        switch action {
        case .wheelUp: return move(-3, &state)
        case .wheelDown: return move(3, &state)
        case .click(let x, let y):
            if y == Layout.bodyTop - 1 {
                // The tabs: `1 Resources  2 Proposals ...`, each as wide as its label.
                var start = 0
                for view in ConsoleView.allCases {
                    let label = Views.tabLabel(view)
                    if x >= start && x < start + DisplayWidth.of(label) { return show(view, &state) }
                    start += DisplayWidth.of(label) + 1
                }
                return []
            }
            guard y >= layout.listY, y < layout.listY + layout.listRows, x >= layout.listX, x < layout.listX + layout.listWidth else {
                if let detail = layout.detail, y >= detail.y, y < detail.y + detail.height, x >= detail.x { state.detailFocused = true }
                return []
            }
            state.detailFocused = false
            let row = list(of: state).top + (y - layout.listY)
            return move(row - list(of: state).cursor, &state)
        }
    }

    // MARK: Engine results

    static func received(_ snapshot: Snapshot, at: Date, _ state: inout ConsoleState) -> [Effect] {
        let selected = selectedStatus(state)
        let firstLook = !state.resourcesLoaded
        // History and proposals read before the first snapshot may predate its fetch: a head
        // seen for the first time counts as moved.
        let headMoved = state.head != snapshot.head
        state.statuses = snapshot.statuses
        // Built when a filter needs it, not on every pass.
        state.resourceSearch = []
        state.syncedCount = snapshot.statuses.reduce(0) { $0 + ($1.sync == .synced ? 1 : 0) }
        state.unknownCount = snapshot.statuses.reduce(0) { $0 + ($1.sync == .unknown ? 1 : 0) }
        state.worstHealth = snapshot.statuses.max { $0.health.rank < $1.health.rank }?.health ?? .healthy
        state.head = snapshot.head
        state.applied = snapshot.applied
        state.lastReconcile = at
        state.resourcesLoaded = true
        state.loadProblem = nil
        rebuildResourceRows(&state)
        // Keep the selection on the same resource as the list changes under it.
        if let selected, let row = state.resourceRows.firstIndex(where: { state.statuses[$0].id == selected.id }) {
            state.resources.cursor = row
        } else if firstLook, let drifted = state.resourceRows.firstIndex(where: { state.statuses[$0].sync != .synced }) {
            // Opened on the first drift: that is what the operator came to see.
            state.resources.cursor = drifted
        }
        rescroll(&state)
        var effects: [Effect] = []
        if selectedStatus(state) != selected || state.resourceDetail == nil { effects += loadDiff(&state) }
        if headMoved {
            if !state.commits.isEmpty || state.historyLoading { effects += reloadHistory(&state) }
            // Loaded on the first look too: the header counts them in every view.
            if firstLook || !state.proposals.isEmpty || state.proposalsLoading { effects += reloadProposals(&state) }
        }
        return effects
    }

    static func journal(_ events: [Event], _ state: inout ConsoleState) -> [Effect] {
        state.events += events
        state.eventSearch += events.map { SearchText($0.reason.rawValue, $0.resource ?? "", $0.message) }
        if state.events.count > ConsoleState.eventLimit {
            state.events.removeFirst(state.events.count - ConsoleState.eventLimit)
            state.eventSearch.removeFirst(state.eventSearch.count - ConsoleState.eventLimit)
        }
        rebuildEventRows(&state)
        let proposalsChanged = events.contains { [.proposalOpened, .proposalApproved, .proposalRejected].contains($0.reason) }
        return proposalsChanged && !state.proposalsLoading ? reloadProposals(&state) : []
    }

    // MARK: Rows

    /// The rows of `all` whose search text holds `filter`. When the filter only grew since the
    /// rows were made (a letter typed), only the rows that matched before are searched.
    static func filtered(_ all: Int, search: [SearchText], filter: String, previous: (filter: String, rows: [Int])) -> [Int] {
        guard !filter.isEmpty else { return Array(0..<all) }
        let needle = SearchText.needle(filter)
        let candidates = !previous.filter.isEmpty && filter.hasPrefix(previous.filter) ? previous.rows : Array(0..<all)
        return candidates.filter { search[$0].contains(needle) }
    }

    static func rebuildResourceRows(_ state: inout ConsoleState, previousFilter: String = "") {
        if !state.resources.filter.isEmpty && state.resourceSearch.count != state.statuses.count {
            state.resourceSearch = state.statuses.map { SearchText($0.id.description, $0.place) }
        }
        state.resourceRows = filtered(state.statuses.count, search: state.resourceSearch, filter: state.resources.filter,
                                      previous: (previousFilter, state.resourceRows))
        state.resources.scroll(rows: Layout(state).listRows, count: state.resourceRows.count)
    }

    static func rebuildProposalRows(_ state: inout ConsoleState) {
        let needle = SearchText.needle(state.proposalList.filter)
        state.proposalRows = state.proposals.indices.filter {
            SearchText(state.proposals[$0].proposal.branch, state.proposals[$0].title, state.proposals[$0].author).contains(needle)
        }
        state.proposalList.scroll(rows: Layout(state).listRows, count: state.proposalRows.count)
    }

    static func rebuildCommitRows(_ state: inout ConsoleState, previousFilter: String = "") {
        state.commitRows = filtered(state.commits.count, search: state.commitSearch, filter: state.historyList.filter,
                                    previous: (previousFilter, state.commitRows))
        state.historyList.scroll(rows: Layout(state).listRows, count: state.commitRows.count)
    }

    /// Rows of the events view: the level and filter applied, and repeats of one event folded.
    static func rebuildEventRows(_ state: inout ConsoleState) {
        let needle = SearchText.needle(state.eventList.filter)
        let order: [Event.Level] = [.info, .warning, .error]
        let minimum = order.firstIndex(of: state.minimumLevel) ?? 0
        var rows: [EventRow] = []
        for (index, event) in state.events.enumerated() where order.firstIndex(of: event.level)! >= minimum
            && state.eventSearch[index].contains(needle) {
            if let last = rows.last, last.event.reason == event.reason, last.event.resource == event.resource, last.event.message == event.message {
                rows[rows.count - 1] = EventRow(event: event, count: last.count + 1)
            } else {
                rows.append(EventRow(event: event, count: 1))
            }
        }
        state.eventRows = rows
        if state.follow { state.eventList.cursor = max(0, rows.count - 1) }
        state.eventList.scroll(rows: Layout(state).listRows, count: rows.count)
    }

    static func rescroll(_ state: inout ConsoleState) {
        let rows = Layout(state).listRows
        state.resources.scroll(rows: rows, count: state.resourceRows.count)
        state.proposalList.scroll(rows: rows, count: state.proposalRows.count)
        state.historyList.scroll(rows: rows, count: state.commitRows.count)
        state.eventList.scroll(rows: rows, count: state.eventRows.count)
    }

    // MARK: Selection

    static func list(of state: ConsoleState) -> ListState {
        switch state.view {
        case .resources: return state.resources
        case .proposals: return state.proposalList
        case .history: return state.historyList
        case .events: return state.eventList
        }
    }

    public static func selectedStatus(_ state: ConsoleState) -> ResourceStatus? {
        state.resourceRows.indices.contains(state.resources.cursor) ? state.statuses[state.resourceRows[state.resources.cursor]] : nil
    }

    public static func selectedProposal(_ state: ConsoleState) -> ProposalReview? {
        state.proposalRows.indices.contains(state.proposalList.cursor) ? state.proposals[state.proposalRows[state.proposalList.cursor]] : nil
    }

    public static func selectedCommit(_ state: ConsoleState) -> Commit? {
        state.commitRows.indices.contains(state.historyList.cursor) ? state.commits[state.commitRows[state.historyList.cursor]] : nil
    }
}
