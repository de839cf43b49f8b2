import Foundation
import ChildProcess
import Logging
import Synchronization

/// Logs go to stderr, at the level `PLUMB_LOG` names (trace, debug, info, notice, warning, error);
/// warning by default, so commands print only what they were asked for. While the console owns
/// the screen they go to a file instead: a line on stderr would tear the screen.
enum LogSetup {
    /// Where logs go while the console runs; nil: stderr.
    static let file = Mutex<FileHandle?>(nil)

    static func bootstrap() {
        let level = environmentValue("PLUMB_LOG").flatMap(Logger.Level.init(rawValue:)) ?? .warning
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler(label: label, stream: Destination())
            handler.logLevel = level
            return handler
        }
    }

    /// Sends logs to `path` (appending) until `toStandardError` is called.
    static func toFile(_ path: String) {
        if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
        let handle = FileHandle(forWritingAtPath: path)
        _ = try? handle?.seekToEnd()
        file.withLock { $0 = handle }
    }

    static func toStandardError() { file.withLock { $0 = nil } }

    /// stderr, or the file while the console runs.
    struct Destination: TextOutputStream {
        mutating func write(_ text: String) {
            let data = Data(text.utf8)
            LogSetup.file.withLock { file in (file ?? FileHandle.standardError).write(data) }
        }
    }
}
