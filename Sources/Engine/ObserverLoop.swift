import Foundation

/// The target looked at whenever it may have changed, by a process that does not hold the state
/// dir: the console beside a running agent. It never applies: it only reports what it sees. The
/// engine holding the state dir runs `Reconciler.run` instead.
public final class ObserverLoop: Sendable {
    let engine: Engine
    /// nil where inotify is not to be had: the loop then looks every few seconds.
    private let watch: TargetWatch?
    /// The longest wait between looks, should a change go unseen.
    static let safetyNet: Duration = .seconds(30)

    public init(engine: Engine) {
        self.engine = engine
        watch = try? TargetWatch()
    }

    /// Looks again now: the journal moved (the engine beside did something), or a fetch finished.
    public func wake() { watch?.wake() }

    /// Until cancelled: a snapshot, or why none could be made, each time the target's folders
    /// change, `wake` is called, or the safety net's wait passes.
    public func run(report: @Sendable (Result<Snapshot, any Error>) -> Void) async {
        while !Task.isCancelled {
            var folders: [String] = []
            do {
                let snapshot = try await engine.snapshot(fetch: false)
                report(.success(snapshot))
                folders = Reconciler.folders(holding: snapshot.statuses.map(\.path), in: engine.target.root)
            } catch {
                report(.failure(error))
            }
            guard let watch else {
                do { try await Task.sleep(for: .seconds(5)) } catch { return }
                continue
            }
            watch.watch(folders)
            await withTaskCancellationHandler {
                await withCheckedContinuation { done in
                    DispatchQueue.global().async { _ = watch.wait(timeout: Self.safetyNet); done.resume() }
                }
            } onCancel: {
                watch.wake()
            }
        }
    }
}
