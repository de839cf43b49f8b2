import DesiredState
import Engine
import VersionSource

/// A resource wants attention when it is not Synced and Healthy.
extension ResourceStatus: ListItem {
    public var identity: ResourceID { id }
    public var words: SearchText { SearchText(sync.rawValue, drift?.rawValue ?? "", health.rawValue, id.description, place) }
    public var wantsAttention: Bool { sync != .synced || health != .healthy }
}

/// A proposal wants attention when it conflicts or fails its policy: it cannot be approved.
extension ProposalReview: ListItem {
    public var identity: String { proposal.branch }
    public var words: SearchText {
        SearchText(proposal.branch, title, author, ProposalList.mergeWord(self), ProposalList.policyWord(self))
    }
    public var wantsAttention: Bool { !mergeable || !passesPolicy }
}

/// A commit has no status of its own: `o`, `]` and `[` are not bound in the history.
extension Commit: ListItem {
    public var identity: String { sha }
    public var words: SearchText { SearchText(sha, subject, author) }
    public var wantsAttention: Bool { false }
}

/// An event wants attention when it is a warning or an error.
extension EventRow: ListItem {
    public var identity: Int64 { first }
    public var words: SearchText { SearchText(event.level.rawValue, event.reason.rawValue, event.resource ?? "", event.message) }
    public var wantsAttention: Bool { event.level != .info }
}
