import Foundation
import Testing
@testable import Engine
import TestSupport

/// The watch tells apart what it sees, with real inotify: a change in the target, a move of the
/// mirror's refs, and the cookies that make an answer from the agent's view exact.
@Suite struct TargetWatchTests {
    let scratch: Scratch
    let watch: TargetWatch
    var cookies: String { scratch.file("cookies") }

    init() throws {
        scratch = try Scratch()
        for folder in ["target", "mirror", "cookies"] { try FileManager.default.createDirectory(atPath: scratch.file(folder), withIntermediateDirectories: true) }
        watch = try TargetWatch()
        watch.watch([scratch.file("target")])
        watch.watchSource([scratch.file("mirror")])
        watch.watchCookies(in: cookies)
    }

    @Test func aCookieAloneEndsTheWaitAtOnceAndSaysNothingChanged() {
        #expect(TargetWatch.makeCookie(1, in: cookies))
        let start = ContinuousClock.now
        let seen = watch.wait(timeout: .seconds(10))
        #expect(seen.cookie == 1 && !seen.changed && !seen.sourceTouched)
        #expect(ContinuousClock.now - start < .seconds(5), "no settling for a cookie")
        #expect(!TargetWatch.makeCookie(1, in: cookies), "a cookie is made once")
    }

    @Test func aChangeMadeBeforeTheCookieIsSeenWithIt() throws {
        try "edited\n".write(toFile: scratch.file("target/motd"), atomically: false, encoding: .utf8)
        #expect(TargetWatch.makeCookie(2, in: cookies))
        let seen = watch.wait(timeout: .seconds(10))
        #expect(seen.changed && seen.cookie == 2)
    }

    @Test func aMoveOfTheMirrorsRefsIsToldApartFromATargetChange() throws {
        try "abc\n".write(toFile: scratch.file("mirror/packed-refs"), atomically: true, encoding: .utf8)
        #expect(TargetWatch.makeCookie(3, in: cookies))
        let seen = watch.wait(timeout: .seconds(10))
        #expect(seen.sourceTouched && !seen.changed && seen.cookie == 3)
    }

    @Test func theHighestCookieIsReportedAndAWakeEndsTheWait() {
        for number in [4, 6, 5] as [UInt64] { #expect(TargetWatch.makeCookie(number, in: cookies)) }
        #expect(watch.wait(timeout: .seconds(10)).cookie == 6)
        watch.wake()
        let seen = watch.wait(timeout: .seconds(10))
        #expect(seen.woken && !seen.changed && seen.cookie == 0)
    }
}
