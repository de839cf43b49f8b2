import ChildProcess
import Dispatch
import Foundation

/// Turns SIGTERM and SIGINT into a call, so a long-running command can finish its step and exit 0
/// instead of dying where it stands. Running children (a hung git) are stopped at once: what
/// they were doing can be done again, and plumb must not wait for them to end.
/// Keep it alive as long as the watch should last.
final class SignalWatch {
    private let sources: [any DispatchSourceSignal]

    init(_ signals: [Int32], then handler: @escaping @Sendable () -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                ChildProcess.stopAll()
                handler()
            }
            source.resume()
            return source
        }
    }
}
