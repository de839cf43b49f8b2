import DesiredState
import Engine
import Foundation
import VersionSource

/// What reaches `update`: input, the passing of time, and the engine's results. Results that
/// answer a request carry the request's epoch: an answer to a request made before the newest
/// one is stale and dropped.
public enum ConsoleEvent: Sendable {
    case input(InputEvent)
    /// Time passed: ages on screen ("3s ago") may read differently.
    case tick(Date)
    /// A fresh observation of the target: after each engine pass, or in an observer, each change seen.
    case snapshot(Snapshot, at: Date)
    /// The engine's last pass failed; nil when passes succeed again.
    case engineProblem(String?)
    case modeChanged(EngineMode)
    case diffLoaded(epoch: Int, lines: [String])
    case proposalsLoaded(epoch: Int, [ProposalReview])
    case proposalDiffLoaded(epoch: Int, lines: [String])
    case historyLoaded(epoch: Int, skip: Int, [Commit], complete: Bool)
    /// Commits' signatures against the trust root, by sha.
    case signaturesLoaded([String: SignatureVerdict])
    case commitLoaded(epoch: Int, CommitDetail)
    /// New entries of the journal, oldest first.
    case journal([Event])
    /// What a sync would do, for the dialog before "sync all".
    case syncPlanned(SyncSummary)
    /// What a rollback would do, for its dialog.
    case rollbackPlanned(RollbackPlan)
    /// The theme `:theme` asked for, read from its file, or why it could not be.
    case themeLoaded(Result<Theme, ThemeError>)
    /// An action finished: what to tell the operator.
    case done(String)
    case failed(String)
    /// SIGTERM or SIGINT: quit as `q` would.
    case terminate
}

/// What `update` asks the shell to do. The shell runs it off the input loop and answers with a
/// `ConsoleEvent`.
public enum Effect: Sendable {
    case loadDiff(ResourceStatus, epoch: Int)
    case loadProposals(epoch: Int)
    case loadProposalDiff(ProposalReview, epoch: Int)
    case loadHistory(skip: Int, epoch: Int)
    /// Verify these commits' signatures (the history rows on screen).
    case loadSignatures([String])
    case loadCommit(Commit, epoch: Int)
    /// A dry run of "sync all", whose answer opens the dialog.
    case planSyncAll
    case sync(ids: [ResourceID]?, prune: Bool)
    case planRollback(Commit)
    /// With the reason to override the head's policy when the plan breaks it.
    case rollback(RollbackPlan, overridePolicy: String?)
    /// Pinned to the review shown: its branch head and proposal head.
    case approve(ProposalReview)
    case reject(ProposalBranch, reason: String)
    case setPaused(Bool)
    /// Fetch the source now, not at the interval; the new head arrives as a snapshot.
    case fetchNow
    /// Find and read a theme by name or path (`:theme`): off the terminal's thread, as it reads the disk.
    case loadTheme(String)
    /// Draw with this theme from now on: on the terminal's thread, which owns the terminal.
    case applyTheme(Theme)
    case quit
}
