import DesiredState
import Engine
import Foundation
import VersionSource

/// Paints a state into a cell buffer: header, tabs, the current view, its detail, the footer, and
/// any dialog or help on top. Only visible rows are built.
public enum Views {
    public static func render(_ state: ConsoleState) -> CellBuffer {
        var buffer = CellBuffer(width: state.width, height: state.height)
        guard !state.tooSmall else {
            tooSmall(state, &buffer)
            return buffer
        }
        let layout = Layout(state)
        header(state, &buffer)
        tabs(state, &buffer)
        switch state.view {
        case .resources: ResourceList.paint(state, layout, &buffer)
        case .proposals: ProposalList.paint(state, layout, &buffer)
        case .history: HistoryList.paint(state, layout, &buffer)
        case .events: EventList.paint(state, layout, &buffer)
        }
        if let detail = layout.detail, let content = currentDetail(state) {
            paintDetail(content, box: detail, focused: state.detailFocused, &buffer)
        }
        footer(state, &buffer)
        if state.help { help(state, &buffer) }
        if let dialog = state.dialog { paintDialog(dialog, &buffer) }
        return buffer
    }

    static func currentDetail(_ state: ConsoleState) -> Detail? {
        guard state.view == .resources else { return state.list.detail }
        return state.resources.detail ?? Detail(title: "", lines: [(state.resourcesLoaded ? "nothing selected" : "", .muted)])
    }

    // MARK: Header, tabs, footer

    static func header(_ state: ConsoleState, _ buffer: inout CellBuffer) {
        // The first line shortens, in this order, before anything vanishes: the source to its
        // last path component, the revisions to 7 characters, then the source's middle.
        let host = state.previewedHost.map { "   as host \($0.escapingControlCharacters)" } ?? ""
        func rest(_ digits: Int) -> String {
            // With a trust root, whether git verifies the head's signature, beside it.
            let signature = state.headSignature.map { $0.isVerified ? " verified" : " UNVERIFIED" } ?? ""
            let head = (state.head.map { String($0.prefix(digits)) } ?? "…") + signature
            let applied = state.applied.map { String($0.prefix(digits)) } ?? "none"
            return " (\(state.branch.escapingControlCharacters))   head \(head)   applied \(applied)\(host)"
        }
        let source = state.source.escapingControlCharacters
        let lastComponent = source.split(separator: "/").last.map(String.init) ?? source
        let lead = " plumb  "
        let candidates = [(source, rest(12)), (lastComponent, rest(12)), (lastComponent, rest(7))]
        let (shown, tail) = candidates.first { DisplayWidth.of(lead + $0.0 + $0.1) <= buffer.width } ?? candidates.last!
        let room = buffer.width - DisplayWidth.of(lead) - DisplayWidth.of(tail)
        buffer.line(lead + DisplayWidth.elidingMiddle(shown, to: room) + tail, y: 0, role: .header)

        // The second line says its counts in words while they fit, and by glyph when not, so
        // that the mode and the age of the last pass never fall off the edge.
        buffer.fill(x: 0, y: 1, width: buffer.width, height: 1, role: .header)
        let wordy = statusParts(state, words: true)
        let parts = DisplayWidth.of(wordy.map { $0.0 + "  " }.joined()) + 1 <= buffer.width ? wordy : statusParts(state, words: false)
        var x = buffer.put(" ", x: 0, y: 1, role: .header)
        for (index, (text, role)) in parts.enumerated() {
            // The last part, why a pass failed, is cut with word of where to read it whole.
            let room = buffer.width - x
            let shown = index == parts.count - 1 && state.engineProblem != nil && DisplayWidth.of(text) > room
                ? DisplayWidth.truncate(text, to: max(1, room - DisplayWidth.of(messagesHint))) + messagesHint : text
            x += buffer.put(shown, x: x, y: 1, role: role)
            x += buffer.put("  ", x: x, y: 1, role: .header)
        }
    }

    /// The second header line's parts: counts, worst health, proposals, mode, the last pass.
    static func statusParts(_ state: ConsoleState, words: Bool) -> [(String, Role)] {
        var parts: [(String, Role)] = []
        if state.resourcesLoaded {
            let (synced, unknown) = (state.syncedCount, state.unknownCount)
            let outOfSync = state.resources.items.count - synced - unknown
            parts.append((words ? "✓ Synced \(synced)" : "✓ \(synced)", .header))
            parts.append((words ? "✗ OutOfSync \(outOfSync)" : "✗ \(outOfSync)", outOfSync > 0 ? .drift : .header))
            if unknown > 0 { parts.append((words ? "? Unknown \(unknown)" : "? \(unknown)", .unknown)) }
            parts.append(("♥ \(state.worstHealth.rawValue)", ResourceList.role(state.worstHealth)))
        } else {
            parts.append(("observing the target…", .header))
        }
        let proposals = state.proposals.loading && state.proposals.items.isEmpty ? "…" : String(state.proposals.items.count)
        parts.append((words ? "proposals \(proposals)" : "⇄ \(proposals)", .header))
        let mode = state.mode.observerOf != nil ? "observer" : !state.mode.autoSync ? "auto-sync off" : state.mode.paused ? "auto-sync PAUSED" : "auto-sync on"
        parts.append((mode, state.mode.paused || state.mode.observerOf != nil ? .warning : .header))
        if let problem = state.engineProblem {
            parts.append(("last pass failed: \(problem.escapingControlCharacters)", .error))
        } else if let last = state.lastReconcile {
            parts.append(("↻ \(age(of: last, now: state.now))", .header))
        }
        return parts
    }

    /// What a cut header or footer line ends in: where to read it whole.
    static let messagesHint = " (:messages)"

    static func tabLabel(_ view: ConsoleView) -> String { " \(view.rawValue) \(view.title) " }

    static func tabs(_ state: ConsoleState, _ buffer: inout CellBuffer) {
        let y = Layout.bodyTop - 1
        buffer.fill(x: 0, y: y, width: buffer.width, height: 1, role: .normal)
        var x = 0
        for view in ConsoleView.allCases {
            x += buffer.put(tabLabel(view), x: x, y: y, role: view == state.view ? .title : .muted)
            x += buffer.put(" ", x: x, y: y, role: .normal)
        }
        let list = state.list
        if !list.filter.isEmpty || list.onlyAttention {
            // Short enough for the room the tabs leave at 80 columns.
            let words = list.filter.isEmpty ? ["only", Update.attentionShort(state.view)]
                : (list.onlyAttention ? [Update.attentionShort(state.view)] : []) + ["/\(list.filter.escapingControlCharacters)"]
            let tail = list.filter.isEmpty || list.onlyAttention ? "" : " match"
            let text = " \(words.joined(separator: " ")): \(list.shown) of \(list.total)\(tail) "
            buffer.put(text, x: max(x, buffer.width - DisplayWidth.of(text)), y: y, role: .match)
        } else if state.view == .events {
            let text = " \(state.follow ? "following" : "not following")\(state.minimumLevel == .info ? "" : " · \(state.minimumLevel.rawValue)s and worse") "
            buffer.put(text, x: max(x, buffer.width - DisplayWidth.of(text)), y: y, role: .muted)
        }
    }

    static func footer(_ state: ConsoleState, _ buffer: inout CellBuffer) {
        let y = buffer.height - 1
        if let prompt = state.prompt {
            let lead = switch prompt.kind {
            case .filter: "/"
            case .command: ":"
            case .reason(let subject): subject.question
            }
            buffer.line("\(lead)\(prompt.text.escapingControlCharacters)▏", y: y, role: .normal)
            return
        }
        if let flash = state.flash {
            // One that does not fit says where to read it whole.
            let text = " \(flash.text.escapingControlCharacters)"
            let hint = " " + messagesHint
            let fits = DisplayWidth.of(text) <= buffer.width
            buffer.line(fits ? text : DisplayWidth.truncate(text, to: buffer.width - DisplayWidth.of(hint)) + hint, y: y, role: flash.role)
            return
        }
        buffer.fill(x: 0, y: y, width: buffer.width, height: 1, role: .footer)
        var x = 1
        for binding in Keymap.bindings(in: state.view) {
            guard var hint = binding.hint else { continue }
            // While `o` is on its hint says how to turn it off, marked as a filter is.
            let marked = binding.action == .onlyAttention && state.list.onlyAttention
            if marked { hint = "all rows" }
            // Whole hints only: one that does not fit is left out, not cut.
            guard x + DisplayWidth.of(binding.label) + DisplayWidth.of(hint) + 1 <= buffer.width else { break }
            x += buffer.put(binding.label, x: x, y: y, role: marked ? .match : .key)
            x += buffer.put(" \(hint)", x: x, y: y, role: marked ? .match : .footer)
            x += buffer.put("  ", x: x, y: y, role: .footer)
        }
    }

    // MARK: Detail, dialog, help

    /// The detail pane: a title rule, then its lines from `top`, long ones wrapped between words.
    static func paintDetail(_ detail: Detail, box: (x: Int, y: Int, width: Int, height: Int), focused: Bool, _ buffer: inout CellBuffer) {
        let title = detail.title.isEmpty ? "" : " \(detail.title) "
        buffer.line("──\(title)" + String(repeating: "─", count: max(0, box.width)), y: box.y, role: focused ? .title : .border, x: box.x, width: box.width)
        buffer.fill(x: box.x, y: box.y + 1, width: box.width, height: box.height - 1, role: .normal)
        var y = box.y + 1, index = detail.top
        let room = max(1, box.width - 1)
        while y < box.y + box.height, index < detail.lines.count {
            let line = detail.lines[index]
            for part in DisplayWidth.wrap(line.text, to: room) where y < box.y + box.height {
                buffer.put(part, x: box.x + 1, y: y, role: line.role, maxWidth: room)
                y += 1
            }
            index += 1
        }
    }

    static func box(title: String, lines unwrapped: [(text: String, role: Role)], _ buffer: inout CellBuffer) {
        let width = min(buffer.width - 4, max(40, min(90, (unwrapped.map { DisplayWidth.of($0.text) } + [DisplayWidth.of(title)]).max()! + 4)))
        // A long reason is read whole: wrapped, not cut.
        let lines = unwrapped.flatMap { line in DisplayWidth.wrap(line.text, to: width - 4).map { (text: $0, role: line.role) } }
        let height = min(buffer.height - 2, lines.count + 3)
        let x = (buffer.width - width) / 2, y = max(1, (buffer.height - height) / 2)
        // The frame stands out, the inside keeps the terminal's background: lines in other roles
        // (a plan's drift colours, a warning) then sit on the same background as the text.
        buffer.fill(x: x, y: y, width: width, height: height, role: .dialog)
        buffer.put("┌" + String(repeating: "─", count: width - 2) + "┐", x: x, y: y, role: .title)
        buffer.put(" \(title) ", x: x + 2, y: y, role: .title, maxWidth: width - 4)
        for row in 1..<height - 1 {
            buffer.put("│", x: x, y: y + row, role: .title)
            buffer.put("│", x: x + width - 1, y: y + row, role: .title)
            let index = row - 1
            guard lines.indices.contains(index) else { continue }
            // The last rows of a long plan give way to the line that says how to answer.
            let line = index == height - 3 && index < lines.count - 1 ? lines[lines.count - 1] : lines[index]
            buffer.put(line.text, x: x + 2, y: y + row, role: line.role == .normal ? .dialog : line.role, maxWidth: width - 4)
        }
        buffer.put("└" + String(repeating: "─", count: width - 2) + "┘", x: x, y: y + height - 1, role: .title)
    }

    static func paintDialog(_ dialog: Dialog, _ buffer: inout CellBuffer) {
        box(title: dialog.title, lines: dialog.lines, &buffer)
    }

    /// Every key of the view, from the keymap; in two columns when one does not fit the height.
    static func help(_ state: ConsoleState, _ buffer: inout CellBuffer) {
        let entries = Keymap.bindings(in: state.view).map { binding in
            ("\(DisplayWidth.padded(binding.label, to: 6)) \(binding.summary)\(binding.dangerous ? " !" : "")",
             binding.dangerous ? Role.warning : Role.dialog)
        }
        let footer: [(String, Role)] = [("", .dialog), ("! asks first, showing what will happen.  Any key: close", .key)]
        let fit = max(1, buffer.height - 2 - 3 - footer.count)
        var lines = entries
        if entries.count > fit {
            let rows = (entries.count + 1) / 2
            let column = entries.prefix(rows).map { DisplayWidth.of($0.0) }.max()! + 2
            lines = (0..<rows).map { row in
                let left = entries[row]
                guard row + rows < entries.count else { return left }
                let right = entries[row + rows]
                return (DisplayWidth.padded(left.0, to: column) + right.0, left.1 == .warning || right.1 == .warning ? .warning : .dialog)
            }
        }
        box(title: "Keys: \(state.view.title)", lines: lines + footer, &buffer)
    }

    static func tooSmall(_ state: ConsoleState, _ buffer: inout CellBuffer) {
        let lines = ["terminal too small: \(state.width)x\(state.height)",
                     "plumb needs \(ConsoleState.minimumWidth)x\(ConsoleState.minimumHeight)", "q quits"]
        for (index, line) in lines.enumerated() {
            let y = max(0, state.height / 2 - 1) + index
            buffer.put(line, x: max(0, (state.width - DisplayWidth.of(line)) / 2), y: y, role: index == 0 ? .warning : .muted)
        }
    }

    // MARK: Time

    /// `3s ago`, `2m ago`, `1h ago`, `4d ago`.
    public static func age(of date: Date, now: Date) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        if seconds < 60 { return "\(seconds)s ago" }
        if seconds < 3600 { return "\(seconds / 60)m ago" }
        if seconds < 86400 { return "\(seconds / 3600)h ago" }
        return "\(seconds / 86400)d ago"
    }

    /// When `age(of: date)` next reads differently: the console redraws then, and not on a clock.
    public static func nextAgeChange(of date: Date, after now: Date) -> Date {
        let seconds = max(0, now.timeIntervalSince(date))
        let step: Double = seconds < 60 ? 1 : seconds < 3600 ? 60 : seconds < 86400 ? 3600 : 86400
        return date.addingTimeInterval((floor(seconds / step) + 1) * step)
    }
}

extension ConsoleState {
    /// When the screen next changes by itself (an age on it); nil when nothing on it ages.
    public var nextRedraw: Date? {
        var dates: [Date] = []
        if let last = lastReconcile, engineProblem == nil { dates.append(last) }
        if view == .events { dates += events.items.filter { $0.count > 1 }.map(\.event.time) }
        return dates.map { Views.nextAgeChange(of: $0, after: now) }.min()
    }
}
