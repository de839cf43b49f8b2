import Foundation
import Logging

/// Logs go to stderr, at the level `PLUMB_LOG` names (trace, debug, info, notice, warning, error);
/// warning by default, so commands print only what they were asked for.
enum LogSetup {
    static func bootstrap() {
        let level = ProcessInfo.processInfo.environment["PLUMB_LOG"].flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
