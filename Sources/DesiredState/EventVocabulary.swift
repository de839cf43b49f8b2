/// How grave a journalled event is. Here, beside the desired state, so that `plumb.yaml`'s
/// alerts can name levels and reasons and be checked at their line.
public enum EventLevel: String, Sendable, Codable, CaseIterable {
    case info, warning, error

    /// info < warning < error, for "this level and worse".
    public var rank: Int {
        switch self {
        case .info: return 0
        case .warning: return 1
        case .error: return 2
        }
    }
}

/// Why an event was journalled: the reasons SPEC names.
public enum EventReason: String, Sendable, Codable, CaseIterable {
    case newRevision = "NewRevision", historyRewritten = "HistoryRewritten", fetchFailed = "FetchFailed"
    case manifestInvalid = "ManifestInvalid", driftDetected = "DriftDetected", driftResolved = "DriftResolved"
    case syncStarted = "SyncStarted", resourceCreated = "ResourceCreated", resourceUpdated = "ResourceUpdated"
    case resourcePruned = "ResourcePruned", resourcePurged = "ResourcePurged", pruneSkipped = "PruneSkipped", syncSucceeded = "SyncSucceeded"
    case syncFailed = "SyncFailed", healthChanged = "HealthChanged", proposalOpened = "ProposalOpened"
    case proposalApproved = "ProposalApproved", proposalRejected = "ProposalRejected"
    case policyViolation = "PolicyViolation", rollbackCreated = "RollbackCreated"
    case validationFailed = "ValidationFailed", signatureInvalid = "SignatureInvalid"
    case serviceStarted = "ServiceStarted", serviceStopped = "ServiceStopped"
    case serviceRestarted = "ServiceRestarted", serviceReloaded = "ServiceReloaded"
    case commandRan = "CommandRan", commandFailed = "CommandFailed"
    case alertFailed = "AlertFailed"
}
