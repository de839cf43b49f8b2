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
    /// A rollback that breaks the policy: `y` asks the reason to override it, not to push.
    public var overrides: RollbackPlan?

    public init(title: String, lines: [(text: String, role: Role)], confirm: Effect?, overrides: RollbackPlan? = nil) {
        self.title = title
        self.lines = lines
        self.confirm = confirm
        self.overrides = overrides
    }
}

/// A resource diff, a proposal's, a commit's or an event's detail, in the detail pane.
public struct Detail: Sendable {
    public var title: String
    public var lines: [(text: String, role: Role)]
    public var top = 0

    public init(title: String, lines: [(text: String, role: Role)]) {
        self.title = title
        self.lines = lines
    }
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
    /// The head's signature against the trust root; nil when none is given.
    public var headSignature: SignatureVerdict?
    /// Commits' signatures against the trust root, read for the history rows on screen as they
    /// come into view; and those asked for and not answered yet.
    public var signatures: [String: SignatureVerdict] = [:]
    public var signaturesAsked: Set<String> = []
    public var applied: String?
    public var mode: EngineMode
    public var lastReconcile: Date?
    /// Why the last pass failed, and when the engine tries again.
    public var engineProblem: String?

    // The four lists, one model: items, rows shown, selection, scroll, detail.
    public var resources = ItemList<ResourceStatus>()
    public var proposals = ItemList<ProposalReview>()
    public var history = ItemList<Commit>()
    public var events = ItemList<EventRow>()

    /// Counted once per snapshot, not on every frame.
    public var syncedCount = 0, unknownCount = 0
    /// The worst health of all resources, for the header.
    public var worstHealth = Health.healthy
    public var resourcesLoaded = false
    /// Why something the console asked for could not be read, for the views still waiting on
    /// it: they say that instead of "reading…" forever.
    public var loadProblem: String?
    /// Every page of the history is loaded.
    public var historyComplete = false
    /// The events' selection stays on the newest row as events arrive.
    public var follow = true
    /// The lowest level of event shown.
    public var minimumLevel: Event.Level = .info

    // Overlays and the bottom line
    public var dialog: Dialog?
    public var help = false
    /// The text being typed after `:` or `/`, when one of them is open.
    public var prompt: Prompt?
    public var flash: (text: String, role: Role)?
    /// The footer's messages of this session, oldest first, for `:messages`: a long one is cut
    /// in the footer, never lost.
    public var messages: [(time: Date, text: String, role: Role)] = []
    public var themeName: String
    public var quitting = false

    /// The most footer messages kept for `:messages`.
    public static let messageLimit = 100
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

/// A line being typed at the bottom: a filter, a command, or the reason for an action.
public struct Prompt: Sendable {
    public enum Kind: Sendable { case filter, command, reason(ReasonFor) }
    public var kind: Kind
    public var text: String

    var isFilter: Bool { if case .filter = kind { return true } else { return false } }
    var isCommand: Bool { if case .command = kind { return true } else { return false } }
}

/// What a reason typed at the bottom is for, and where it goes: rejecting a proposal (`x`, into
/// `ProposalRejected`) or overriding the policy with a rollback (`y`, into `Policy-override:`).
/// Either is asked on one line, then the dialog again with the reason.
public enum ReasonFor: Sendable {
    case rejecting(ProposalReview)
    case overridingPolicy(RollbackPlan)

    /// What the bottom line says before the text typed.
    var question: String {
        switch self {
        case .rejecting(let review): return "reason for rejecting \(review.proposal.branch.escapingControlCharacters): "
        case .overridingPolicy: return "reason for overriding the policy: "
        }
    }

    /// The dialog that asks once more, with the reason.
    func dialog(reason: String, branch: String) -> Dialog {
        switch self {
        case .rejecting(let review): return Dialogs.reject(review, reason: reason)
        case .overridingPolicy(let plan): return Dialogs.overridingRollback(plan, branch: branch, reason: reason)
        }
    }
}

/// Repeated events folded into one row: the newest of the run and how many there were.
public struct EventRow: Sendable {
    public let event: Event
    public let count: Int
    /// The journal sequence of the run's first event: the row's identity as the run grows.
    public let first: Int64

    public init(_ event: Event) {
        self.event = event
        count = 1
        first = event.sequence
    }

    private init(event: Event, count: Int, first: Int64) {
        self.event = event
        self.count = count
        self.first = first
    }

    /// `next` folded into this row when it repeats this row's event; nil when it does not.
    public func folding(_ next: EventRow) -> EventRow? {
        guard next.event.level == event.level, next.event.reason == event.reason, next.event.resource == event.resource,
              next.event.message == event.message else { return nil }
        return EventRow(event: next.event, count: count + next.count, first: first)
    }
}
