import DesiredState
import Engine
import Foundation
import VersionSource

/// The console's core: a new state and the effects to run, from the state and one event. Pure:
/// no terminal, no git, no disk; the shell runs the effects and feeds their results back.
public enum Update {
    public static func update(_ state: inout ConsoleState, _ event: ConsoleEvent) -> [Effect] {
        let (flash, problem) = (state.flash, state.engineProblem)
        let effects = apply(event, &state)
        remember(flash: flash, problem: problem, &state)
        // Whatever moved, the selection of the view on screen stays on screen.
        state.onList(.scroll(visible: Layout(state).listRows))
        return effects + signaturesOnScreen(&state)
    }

    /// With a trust root, the history rows on screen whose signatures are not known yet are
    /// verified (each commit once): git's `%G?`, read only for what is seen.
    static func signaturesOnScreen(_ state: inout ConsoleState) -> [Effect] {
        guard state.view == .history, state.headSignature != nil else { return [] }
        let list = state.history
        let visible = list.rows[min(list.top, list.rows.count)..<min(list.top + Layout(state).listRows, list.rows.count)]
        let wanted = visible.map { list.items[$0].sha }.filter { state.signatures[$0] == nil && !state.signaturesAsked.contains($0) }
        guard !wanted.isEmpty else { return [] }
        state.signaturesAsked.formUnion(wanted)
        return [.loadSignatures(wanted)]
    }

    /// Keeps for `:messages` what the footer and the header said, which either may have cut: a
    /// new footer message (not progress, "syncing File/motd…": what it ends in is kept), and why a
    /// pass failed the first time it is said.
    static func remember(flash before: (text: String, role: Role)?, problem: String?, _ state: inout ConsoleState) {
        if let flash = state.flash, flash.text != before?.text || flash.role != before?.role, !flash.text.hasSuffix("…") {
            state.messages.append((state.now, flash.text, flash.role))
        }
        if let now = state.engineProblem, now != problem {
            state.messages.append((state.now, "last pass failed: \(now)", .error))
        }
        if state.messages.count > ConsoleState.messageLimit { state.messages.removeFirst(state.messages.count - ConsoleState.messageLimit) }
    }

    static func apply(_ event: ConsoleEvent, _ state: inout ConsoleState) -> [Effect] {
        switch event {
        case .input(let input): return handle(input, &state)
        case .tick(let now): state.now = now; return []
        case .snapshot(let snapshot, let at): return received(snapshot, at: at, &state)
        case .engineProblem(let problem): state.engineProblem = problem; return []
        case .modeChanged(let mode): state.mode = mode; return []
        case .diffLoaded(let epoch, let lines):
            state.resources.fillDetail(epoch: epoch) { $0.lines = DetailText.diff(lines) }
            return []
        case .signaturesLoaded(let verdicts):
            state.signatures.merge(verdicts) { _, new in new }
            state.signaturesAsked.subtract(verdicts.keys)
            return []
        case .proposalsLoaded(let epoch, let reviews):
            guard epoch == state.proposals.epoch else { return [] }
            state.proposals.replace(with: reviews)
            state.proposals.loading = false
            return []
        case .proposalDiffLoaded(let epoch, let lines):
            state.proposals.fillDetail(epoch: epoch) { $0.lines += [("", .normal)] + DetailText.diff(lines) }
            return []
        case .historyLoaded(let epoch, let skip, let commits, let complete):
            guard epoch == state.history.epoch, skip == 0 || skip == state.history.items.count else { return [] }
            // A first page replaces what was shown. The selection stays on its commit, but on the
            // newest row it stays on the newest: the top follows the head, as the events' end does.
            if skip == 0 {
                state.history.replace(with: commits, keepingSelection: state.history.cursor > 0)
            } else {
                state.history.append(commits)
            }
            state.historyComplete = complete
            state.history.loading = false
            state.loadProblem = nil
            return []
        case .commitLoaded(let epoch, let commit):
            let width = detailWidth(state)
            // The detail follows the selection: its commit is the selected one.
            let signature = state.history.selected.flatMap { state.signatures[$0.sha] }.map { verdict -> (text: String, role: Role) in
                if case .verified(let signer) = verdict { return ("signature: verified, signed by \(signer.escapingControlCharacters)", .synced) }
                return ("signature: NOT verified: \(verdict.problem ?? "")".escapingControlCharacters, .error)
            }
            state.history.fillDetail(epoch: epoch) { $0.lines = DetailText.commit(commit, width: width) + (signature.map { [("", Role.normal), $0] } ?? []) }
            return []
        case .journal(let events): return journal(events, &state)
        case .syncPlanned(let summary):
            state.dialog = Dialogs.syncAll(summary, branch: state.branch)
            return []
        case .rollbackPlanned(let plan):
            state.dialog = Dialogs.rollback(plan, branch: state.branch)
            return []
        case .themeLoaded(.failure(let error)):
            state.flash = (error.description, .error)
            return []
        case .themeLoaded(.success(let theme)):
            state.themeName = theme.name
            state.flash = ("theme \(theme.name.escapingControlCharacters)", .info)
            return [.applyTheme(theme)]
        case .done(let message): state.flash = (message, .info); return []
        case .failed(let message):
            state.flash = (message, .error)
            // Whatever was being read is not coming: the views say why instead of waiting.
            state.loadProblem = message
            state.history.loading = false
            state.proposals.loading = false
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
            if key == .char("y"), let plan = dialog.overrides {
                // One line at the bottom, then the dialog again with the reason: as `x` asks.
                state.prompt = Prompt(kind: .reason(.overridingPolicy(plan)), text: "")
                return []
            }
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
        let page = state.detailFocused ? layout.detailRows : max(1, layout.listRows - 1)
        switch action {
        case .moveDown: return move(1, &state)
        case .moveUp: return move(-1, &state)
        case .pageDown: return move(page, &state)
        case .pageUp: return move(-page, &state)
        case .top: return move(-Int.max / 2, &state)
        case .bottom: return move(Int.max / 2, &state)
        case .open: return open(&state)
        case .back: return back(&state)
        case .nextPane:
            state.detailFocused = state.detailShown && !state.detailFocused
            return []
        case .show(let view): return show(view, &state)
        case .filter:
            state.prompt = Prompt(kind: .filter, text: state.list.filter)
            return []
        case .nextMatch: return step(forward: true, &state)
        case .previousMatch: return step(forward: false, &state)
        case .onlyAttention:
            let on = !state.list.onlyAttention
            let before = state.list.selectedIdentity
            state.onList(.setOnlyAttention(on))
            state.flash = on ? ("only \(attention(state.view)) rows: \(state.list.shown) of \(state.list.total) (o shows all)", .info)
                : ("all \(state.list.total) rows again", .muted)
            return selectionMoved(from: before, &state)
        case .nextAttention: return jump(forward: true, &state)
        case .previousAttention: return jump(forward: false, &state)
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
            guard let review = state.proposals.selected else { return [] }
            state.dialog = Dialogs.approve(review, branch: state.branch)
            return []
        case .reject:
            // A reason first, one line, then the dialog: the journal says why, not only who.
            guard let review = state.proposals.selected else { return [] }
            state.prompt = Prompt(kind: .reason(.rejecting(review)), text: "")
            return []
        case .rollback:
            guard let commit = state.history.selected else { return [] }
            state.flash = ("planning the rollback to \(commit.short)…", .muted)
            return [.planRollback(commit)]
        case .toggleFollow:
            state.follow.toggle()
            if state.follow { state.events.move(by: Int.max / 2) }
            return []
        case .cycleLevel:
            state.minimumLevel = switch state.minimumLevel { case .info: .warning; case .warning: .error; case .error: .info }
            let minimum = state.minimumLevel.rank
            if minimum == 0 {
                state.events.setScope(nil)
            } else {
                state.events.setScope { row in row.event.level.rank >= minimum }
            }
            if state.follow { state.events.move(by: Int.max / 2) }
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

    /// The rows `o` keeps and `]` `[` visit, in the words of the view.
    static func attention(_ view: ConsoleView) -> String {
        switch view {
        case .resources: return "drifted or unhealthy"
        case .proposals: return "conflicting or failing"
        case .history: return "marked"
        case .events: return "warning or error"
        }
    }

    /// The same in one word, for the mark beside the tabs.
    static func attentionShort(_ view: ConsoleView) -> String {
        switch view {
        case .resources: return "drifted"
        case .proposals: return "failing"
        case .history: return "marked"
        case .events: return "warnings"
        }
    }

    /// Moves the selection of the focused list (or scrolls the detail), and loads what the new
    /// selection needs.
    static func move(_ delta: Int, _ state: inout ConsoleState) -> [Effect] {
        if state.detailFocused {
            state.onList(.scrollDetail(by: delta, visible: Layout(state).detailRows))
            return []
        }
        let before = state.list.selectedIdentity
        state.onList(.move(by: delta))
        return selectionMoved(from: before, &state)
    }

    /// `n` / `N`: the next or previous row, around the end with a word that it wrapped.
    static func step(forward: Bool, _ state: inout ConsoleState) -> [Effect] {
        let before = state.list.selectedIdentity
        let what = state.list.filter.isEmpty ? "row" : "match"
        switch state.onList(.step(forward: forward)) {
        case .moved: break
        case .wrapped: state.flash = (forward ? "wrapped to the first \(what)" : "wrapped to the last \(what)", .info)
        case .none: state.flash = ("no other \(what)", .muted)
        }
        return selectionMoved(from: before, &state)
    }

    /// `]` / `[`: the next or previous row that wants attention, around the end.
    static func jump(forward: Bool, _ state: inout ConsoleState) -> [Effect] {
        let before = state.list.selectedIdentity
        let what = attention(state.view)
        switch state.onList(.jumpToAttention(forward: forward)) {
        case .moved: break
        case .wrapped: state.flash = (forward ? "wrapped to the first \(what) row" : "wrapped to the last \(what) row", .info)
        case .none:
            let selected = state.list.shown > 0 && state.list.selectedWantsAttention
            state.flash = (selected ? "no other \(what) row" : "no \(what) row", .muted)
        }
        return selectionMoved(from: before, &state)
    }

    /// What a new selection needs: a resource's diff, more history near its end, an open detail
    /// following it; the events follow their end while the selection is on the newest row.
    static func selectionMoved(from before: AnyHashable?, _ state: inout ConsoleState) -> [Effect] {
        let moved = state.list.selectedIdentity != before
        switch state.view {
        case .resources:
            return moved || state.resources.detail == nil ? loadDiff(&state) : []
        case .proposals:
            return moved && state.proposals.detail != nil ? open(&state) : []
        case .history:
            return (moved && state.history.detail != nil ? open(&state) : []) + moreHistory(&state)
        case .events:
            state.follow = state.events.cursor >= state.events.shown - 1
            if moved && state.events.detail != nil { openEvent(&state) }
            return []
        }
    }

    /// The next page of history when the cursor nears the end of what is loaded.
    static func moreHistory(_ state: inout ConsoleState) -> [Effect] {
        guard !state.historyComplete, !state.history.loading, state.history.filter.isEmpty,
              state.history.cursor >= state.history.items.count - 50 else { return [] }
        state.history.loading = true
        return [.loadHistory(skip: state.history.items.count, epoch: state.history.epoch)]
    }

    /// The text width of the detail pane, for what is wrapped to it.
    static func detailWidth(_ state: ConsoleState) -> Int {
        max(20, (Layout(state).detail?.width ?? state.width) - 2)
    }

    static func loadDiff(_ state: inout ConsoleState) -> [Effect] {
        guard let status = state.resources.selected else {
            state.resources.detail = nil
            return []
        }
        let title = "\(status.id.description.escapingControlCharacters)  \(status.place.escapingControlCharacters)"
        // A Service or a Command always has something to tell: its state, its last actions; and
        // so has a Directory: what it ignores (counted on both sides), prunes and purges.
        if status.sync == .synced && status.isInTarget && status.desired?.kind != .directory {
            _ = state.resources.openDetail(Detail(title: title, lines: [("in sync: the target holds what is declared", .synced)]))
            return []
        }
        let epoch = state.resources.openDetail(Detail(title: title, lines: [((status.message ?? "").escapingControlCharacters, .muted),
                                                                            ("reading the diff…", .muted)]))
        return [.loadDiff(status, epoch: epoch)]
    }

    static func open(_ state: inout ConsoleState) -> [Effect] {
        switch state.view {
        case .resources:
            state.detailFocused = state.detailShown
            return []
        case .events:
            if state.events.detail != nil { state.detailFocused = true } else { openEvent(&state) }
            return []
        case .proposals:
            guard let review = state.proposals.selected else { return [] }
            let epoch = state.proposals.openDetail(Detail(title: review.proposal.branch.escapingControlCharacters, lines: DetailText.review(review)))
            return [.loadProposalDiff(review, epoch: epoch)]
        case .history:
            guard let commit = state.history.selected else { return [] }
            let epoch = state.history.openDetail(Detail(title: "\(commit.short)  \(commit.subject.escapingControlCharacters)",
                                                        lines: [("reading the commit…", .muted)]))
            return [.loadCommit(commit, epoch: epoch)]
        }
    }

    /// The whole of the selected event in the detail pane: what its row cuts, with the date,
    /// the full revision, and the message wrapped at word boundaries.
    static func openEvent(_ state: inout ConsoleState) {
        guard let row = state.events.selected else { return }
        let event = row.event
        var lines: [(text: String, role: Role)] = [
            ("time      \(event.timestamp)", .normal),
            ("level     \(event.level.rawValue)", EventList.role(event.level)),
            ("reason    \(event.reason.rawValue)", .normal),
            ("resource  \((event.resource ?? "-").escapingControlCharacters)", .normal),
            ("revision  \(event.revision ?? "-")", .muted),
        ]
        if row.count > 1 { lines.append(("repeated  \(row.count) times in a row (the newest shown)", .muted)) }
        lines.append(("", .normal))
        let epoch = state.events.openDetail(Detail(title: "\(event.reason.rawValue)  \((event.resource ?? "").escapingControlCharacters)", lines: lines))
        // Wrapped to the width the pane has once open: it may take room from the list.
        let width = detailWidth(state)
        state.events.fillDetail(epoch: epoch) { $0.lines += DisplayWidth.wrap(event.message.escapingControlCharacters, to: width).map { ($0, .normal) } }
    }

    static func back(_ state: inout ConsoleState) -> [Effect] {
        if state.detailFocused {
            state.detailFocused = false
        } else if state.view != .resources && state.list.detail != nil {
            state.onList(.closeDetail)
        } else if !state.list.filter.isEmpty {
            return setFilter("", &state)
        } else if state.list.onlyAttention {
            return perform(.onlyAttention, &state)
        }
        return []
    }

    static func show(_ view: ConsoleView, _ state: inout ConsoleState) -> [Effect] {
        state.view = view
        state.detailFocused = false
        switch view {
        case .proposals where state.proposals.items.isEmpty && !state.proposals.loading: return reloadProposals(&state)
        case .history where state.history.items.isEmpty && !state.history.loading: return reloadHistory(&state)
        default: return []
        }
    }

    static func reloadProposals(_ state: inout ConsoleState) -> [Effect] {
        [.loadProposals(epoch: state.proposals.request())]
    }

    /// Loads the history again from its first page. What is shown stays, and keys keep acting
    /// on it, until that page replaces it: a new head never blanks the view under the operator.
    static func reloadHistory(_ state: inout ConsoleState) -> [Effect] {
        state.historyComplete = false
        return [.loadHistory(skip: 0, epoch: state.history.request())]
    }

    static func syncSelected(_ state: inout ConsoleState) -> [Effect] {
        if let observer = observerRefusal(state) { state.flash = (observer, .warning); return [] }
        guard let status = state.resources.selected else { return [] }
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
        guard let owner = status.owner, case .directory(let spec)? = state.resources.items.first(where: { $0.id == owner })?.desired?.shape else { return false }
        return spec.purge
    }

    // MARK: Typing a filter or a command

    static func typed(_ key: Key, _ state: inout ConsoleState) -> [Effect] {
        guard var prompt = state.prompt else { return [] }
        switch key {
        case .escape:
            state.prompt = nil
            return prompt.isFilter ? setFilter("", &state) : []
        case .enter:
            guard case .reason(let subject) = prompt.kind else {
                state.prompt = nil
                return prompt.isCommand ? command(prompt.text, &state) : []
            }
            let reason = prompt.text.trimmingCharacters(in: .whitespaces)
            guard !reason.isEmpty else {
                state.flash = ("say why, in a few words (Esc cancels)", .warning)
                return []
            }
            state.prompt = nil
            state.dialog = subject.dialog(reason: reason, branch: state.branch)
            return []
        case .backspace:
            if prompt.text.isEmpty { state.prompt = nil; return [] }
            prompt.text.removeLast()
        case .tab where prompt.isCommand:
            prompt.text = CommandLine.complete(prompt.text)
        case .ctrl("c"): return quit(&state)
        case .ctrl("u"): prompt.text = ""
        case .char(let character): prompt.text.append(character)
        default: return []
        }
        state.prompt = prompt
        return prompt.isFilter ? setFilter(prompt.text, &state) : []
    }

    static func command(_ text: String, _ state: inout ConsoleState) -> [Effect] {
        switch CommandLine.parse(text) {
        case .success(.quit): return quit(&state)
        case .success(.sync): return perform(.syncAll, &state)
        case .success(.theme(let name)): return [.loadTheme(name)]
        case .success(.help): state.help = true; return []
        case .success(.messages):
            state.dialog = Dialogs.messages(state.messages, now: state.now)
            return []
        case .failure(let problem): state.flash = (problem.description, .error); return []
        }
    }

    static func setFilter(_ text: String, _ state: inout ConsoleState) -> [Effect] {
        let before = state.list.selectedIdentity
        state.onList(.setFilter(text))
        return selectionMoved(from: before, &state)
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
            let before = state.list.selectedIdentity
            state.onList(.selectRow(state.list.top + (y - layout.listY)))
            return selectionMoved(from: before, &state)
        }
    }

    // MARK: Engine results

    static func received(_ snapshot: Snapshot, at: Date, _ state: inout ConsoleState) -> [Effect] {
        let selected = state.resources.selected
        let firstLook = !state.resourcesLoaded
        // History and proposals read before the first snapshot may predate its fetch: a head
        // seen for the first time counts as moved.
        let headMoved = state.head != snapshot.head
        // The selection stays on the same resource as the list changes under it.
        state.resources.replace(with: snapshot.statuses)
        // Opened on the first drift: that is what the operator came to see.
        if firstLook { state.resources.selectFirstWantingAttention() }
        state.syncedCount = snapshot.statuses.reduce(0) { $0 + ($1.sync == .synced ? 1 : 0) }
        state.unknownCount = snapshot.statuses.reduce(0) { $0 + ($1.sync == .unknown ? 1 : 0) }
        state.worstHealth = snapshot.statuses.max { $0.health.rank < $1.health.rank }?.health ?? .healthy
        state.head = snapshot.head
        state.headSignature = snapshot.headSignature
        state.applied = snapshot.applied
        state.lastReconcile = at
        state.resourcesLoaded = true
        state.loadProblem = nil
        var effects: [Effect] = []
        if state.resources.selected != selected || state.resources.detail == nil { effects += loadDiff(&state) }
        if headMoved {
            if !state.history.items.isEmpty || state.history.loading { effects += reloadHistory(&state) }
            // Loaded on the first look too: the header counts them in every view.
            if firstLook || !state.proposals.items.isEmpty || state.proposals.loading { effects += reloadProposals(&state) }
        }
        return effects
    }

    static func journal(_ events: [Event], _ state: inout ConsoleState) -> [Effect] {
        state.events.append(events.map(EventRow.init)) { $0.folding($1) }
        state.events.keepLast(ConsoleState.eventLimit)
        if state.follow { state.events.move(by: Int.max / 2) }
        let proposalsChanged = events.contains { [.proposalOpened, .proposalApproved, .proposalRejected].contains($0.reason) }
        return proposalsChanged && !state.proposals.loading ? reloadProposals(&state) : []
    }
}
