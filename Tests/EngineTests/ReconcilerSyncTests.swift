import DesiredState
import Engine
import Foundation
import Synchronization
import Testing
import TestSupport
import VersionSource

/// The console's `s` and `S` run through the engine in its own process: the loop takes the sync
/// between its passes and answers the caller directly, with no request table to poll.
@Suite struct ReconcilerSyncTests {
    let fx: PlumbFixture
    let engine: Engine

    init() async throws {
        fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"hello\\n\"\n")
        try fx.source.commit("motd")
        engine = try await Engine(config: EngineConfig(source: SourceRef(url: fx.source.bare), target: fx.target.path,
                                                       stateDir: StateDirectory(path: fx.state.path + "/state")))
    }

    @Test func aSyncAskedInProcessRunsInTheLoopAndAnswers() async throws {
        let reconciler = try Reconciler(engine: engine, options: Reconciler.Options())
        let loop = Task { await reconciler.run() }
        // auto-sync is off: only the sync asked here writes the file.
        try await Task.sleep(for: .milliseconds(300))
        #expect(fx.target.read("etc/motd") == nil)
        let summary = try await reconciler.sync(SyncOptions())
        #expect(summary.applied && summary.failures.isEmpty)
        #expect(summary.changes.map(\.id) == ["File/motd"])
        #expect(fx.target.read("etc/motd") == "hello\n")
        #expect(try engine.store.events(last: 50).contains { $0.reason == .resourceCreated }, "journalled as any sync is")
        loop.cancel()
        await loop.value
        await #expect(throws: StateError.self, "after the loop stopped, a sync is refused, not left waiting") {
            try await reconciler.sync(SyncOptions())
        }
    }

    @Test func aSyncAskedBeforeTheLoopStartsRunsOnceItDoes() async throws {
        let reconciler = try Reconciler(engine: engine, options: Reconciler.Options())
        async let summary = reconciler.sync(SyncOptions())
        try await Task.sleep(for: .milliseconds(100))
        let loop = Task { await reconciler.run() }
        #expect(try await summary.applied)
        #expect(fx.target.read("etc/motd") == "hello\n")
        loop.cancel()
        await loop.value
    }
}

/// An idle loop waits: with fetches and without (`agent --no-fetch`, `ui --no-fetch`), a pass is
/// followed by a pause until the interval, a change of the target or a fetch coming due.
@Suite struct ReconcilerIdleTests {
    @Test(.timeLimit(.minutes(2)), arguments: [true, false]) func anIdleLoopMakesOnePassAndWaits(fetching: Bool) async throws {
        let fx = try PlumbFixture()
        try fx.source.write("resources/motd.yaml", "kind: File\nname: motd\nspec:\n  path: etc/motd\n  content: \"hello\\n\"\n")
        try fx.source.commit("motd")
        let engine = try await Engine(config: EngineConfig(source: SourceRef(url: fx.source.bare), target: fx.target.path,
                                                           stateDir: StateDirectory(path: fx.state.path + "/state")))
        try await engine.fetch()
        var options = Reconciler.Options()
        options.fetch = fetching
        let reconciler = try Reconciler(engine: engine, options: options)
        let passes = Mutex(0)
        let (passMade, signal) = AsyncStream<Void>.makeStream()
        let loop = Task {
            await reconciler.run { _ in
                passes.withLock { $0 += 1 }
                signal.yield()
            }
        }
        // The first pass comes when a loaded machine gets to it (the whole suite runs at once on
        // two cores); what is measured is the pause after it.
        var next = passMade.makeAsyncIterator()
        _ = await next.next()
        let first = passes.withLock { $0 }
        try await Task.sleep(for: .milliseconds(1500))
        loop.cancel()
        await loop.value
        // A fetch that brings nothing new wakes one more pass; a loop without a pause makes dozens.
        let made = passes.withLock { $0 } - first
        #expect(made <= 2, "\(made) more passes in 1.5 s of nothing happening after the first")
    }
}
