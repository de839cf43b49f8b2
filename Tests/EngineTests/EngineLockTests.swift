import Foundation
import Synchronization
import Testing
import Engine
import TestSupport

/// The state dir's lock, attacked where it once went wrong: a lock found busy closed its
/// descriptor twice (once itself, once in the deinit a throwing init runs), and the second close
/// hit whatever another thread had opened under that number meanwhile: in the console, a running
/// Command's pidfd, which crashed plumb.
@Suite struct EngineLockTests {
    final class Watcher: Sendable {
        let stop = Atomic<Bool>(false)
        let lost = Atomic<Int>(0)
        let checked = Atomic<Int>(0)
    }

    @Test func aBusyLockClosesOnlyItsOwnDescriptor() throws {
        let folder = try Scratch()
        let path = folder.file("lock")
        let held = try EngineLock(path: path)
        let watcher = Watcher()
        // Another thread keeps opening descriptors and checks each is still its own.
        let thread = Thread {
            while !watcher.stop.load(ordering: .relaxed) {
                let fd = open("/dev/null", O_RDONLY | O_CLOEXEC)
                for _ in 0..<50 { _ = getpid() }
                if fcntl(fd, F_GETFD) < 0 { watcher.lost.add(1, ordering: .relaxed) } else { close(fd) }
                watcher.checked.add(1, ordering: .relaxed)
            }
        }
        thread.start()
        for _ in 0..<20_000 {
            #expect(throws: EngineLock.Busy.self) { _ = try EngineLock(path: path) }
        }
        watcher.stop.store(true, ordering: .relaxed)
        while !thread.isFinished { usleep(1000) }
        #expect(watcher.checked.load(ordering: .relaxed) > 0)
        #expect(watcher.lost.load(ordering: .relaxed) == 0, "a descriptor of another thread was closed")
        withExtendedLifetime(held) {}
    }
}
