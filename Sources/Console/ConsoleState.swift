import DesiredState
import Engine
import Foundation
import VersionSource

/// The four views, numbered as their keys.
public enum ConsoleView: Int, CaseIterable, Hashable, Sendable {
    case resources = 1, proposals, history, events

    public var title: String {
        switch self {
        case .resources: return "Resources"
        case .proposals: return "Proposals"
        case .history: return "History"
        case .events: return "Events"
        }
    }
}

/// A cursor over a list: which row is selected, which is at the top of the screen, and the filter.
public struct ListState: Hashable, Sendable {
    public var cursor = 0
    public var top = 0
    /// The text typed after `/`; empty for none.
    public var filter = ""

    /// Moves the cursor by `delta` within `count` rows.
    mutating func move(by delta: Int, count: Int) {
        cursor = max(0, min(count - 1, cursor + delta))
    }

    /// Keeps the cursor on screen, given `rows` visible rows.
    mutating func scroll(rows: Int, count: Int) {
        guard rows > 0 else { return }
        cursor = max(0, min(cursor, count - 1))
        if cursor < top { top = cursor }
        if cursor >= top + rows { top = cursor - rows + 1 }
        top = max(0, min(top, max(0, count - rows)))
    }
}

/// How the in-process engine runs: as the engine of the state dir, or as an observer beside another.
public struct EngineMode: Hashable, Sendable {
    public var autoSync: Bool
    public var paused = false
    /// Who holds the state dir when this console only observes (`another plumb (pid 12) is ...`).
    public var observerOf: String?

    public init(autoSync: Bool, paused: Bool = false, observerOf: String? = nil) {
        self.autoSync = autoSync
        self.paused = paused
        self.observerOf = observerOf
    }
}

/// A question before a destructive action: what will happen, and the action a `y` carries out.
/// Any other key cancels: Cancel is the default.
public struct Dialog: Sendable {
    public var title: String
    public var lines: [(text: String, role: Role)]
    /// nil: the dialog only informs (an approval that is refused, say), and any key closes it.
    public var confirm: Effect?
}

/// A resource diff, a proposal's or a commit's detail, in the detail pane.
public struct Detail: Sendable {
    public var title: String
    public var lines: [(text: String, role: Role)]
    public var top = 0
}

/// Everything the console shows and knows. Changed only by `update`; read by the views.
public struct ConsoleState: Sendable {
    public var width: Int
    public var height: Int
    public var now: Date
    public var view: ConsoleView = .resources
    /// The detail pane has the keys (Tab), rather than the list.
    public var detailFocused = false

    // Header
    public var source: String
    public var branch: String
    /// Another machine's name when the console previews that host's desired state (`--host`).
    public var previewedHost: String?
    public var head: String?
    public var applied: String?
    public var mode: EngineMode
    public var lastReconcile: Date?
    /// Why the last pass failed, and when the engine tries again.
    public var engineProblem: String?

    // Resources
    public var statuses: [ResourceStatus] = []
    public var resourceRows: [Int] = []
    /// What `/` searches, per status; built once per snapshot, when a filter is typed.
    var resourceSearch: [SearchText] = []
    /// Counted once per snapshot, not on every frame.
    public var syncedCount = 0, unknownCount = 0
    /// The worst health of all resources, for the header.
    public var worstHealth = Health.healthy
    public var resources = ListState()
    public var resourcesLoaded = false
    /// Why something the console asked for could not be read, for the views still waiting on
    /// it: they say that instead of "reading…" forever.
    public var loadProblem: String?
    public var resourceDetail: Detail?
    public var diffEpoch = 0

    // Proposals
    public var proposals: [ProposalReview] = []
    public var proposalRows: [Int] = []
    public var proposalList = ListState()
    public var proposalsLoading = false
    public var proposalsEpoch = 0
    public var proposalDetail: Detail?

    // History
    public var commits: [Commit] = []
    public var commitRows: [Int] = []
    var commitSearch: [SearchText] = []
    public var historyList = ListState()
    public var historyComplete = false
    public var historyLoading = false
    public var historyEpoch = 0
    public var commitDetail: Detail?

    // Events
    public var events: [Event] = []
    var eventSearch: [SearchText] = []
    public var eventRows: [EventRow] = []
    public var eventList = ListState()
    public var follow = true
    /// The whole of the selected event, after Enter.
    public var eventDetail: Detail?
    /// The lowest level shown.
    public var minimumLevel: Event.Level = .info

    // Overlays and the bottom line
    public var dialog: Dialog?
    public var help = false
    /// The text being typed after `:` or `/`, when one of them is open.
    public var prompt: Prompt?
    /// The proposal `x` is asking a reason for.
    public var rejecting: ProposalReview?
    public var flash: (text: String, role: Role)?
    public var themeName: String
    public var quitting = false

    /// The most events kept in memory: the journal holds the rest.
    public static let eventLimit = 5_000
    /// Below this the console shows a notice instead of its views.
    public static let minimumWidth = 50, minimumHeight = 12

    public init(width: Int, height: Int, now: Date, source: String, branch: String, mode: EngineMode, themeName: String) {
        self.width = width
        self.height = height
        self.now = now
        self.source = source
        self.branch = branch
        self.mode = mode
        self.themeName = themeName
    }

    public var tooSmall: Bool { width < Self.minimumWidth || height < Self.minimumHeight }
}

/// A line being typed at the bottom: a filter or a command.
public struct Prompt: Hashable, Sendable {
    /// `/`, `:`, or the reason for rejecting a proposal (`x`), which goes into `ProposalRejected`.
    public enum Kind: Hashable, Sendable { case filter, command, rejectReason }
    public var kind: Kind
    public var text: String
}

/// Repeated events folded into one row: the newest of the run and how many there were.
public struct EventRow: Sendable {
    public let event: Event
    public let count: Int
}
