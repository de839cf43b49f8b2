import ArgumentParsing
import DesiredState
import Engine
import Foundation
import VersionSource

/// Runs a command's body; any error becomes one clear sentence on stderr and exit status 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        report(error)
        throw ExitCode(1)
    }
}

/// `plumb: <error>` on stderr, escaped here once for every command: an error may quote a name or
/// a server's words.
func report(_ error: any Error) {
    FileHandle.standardError.write(Data("plumb: \("\(error)".escapingControlCharactersByLine)\n".utf8))
}

/// The resource ids given on the command line (`File/motd`), or the first that is not one, named
/// in one sentence with the form it should have.
func resourceIDs(_ texts: [String]) throws -> [ResourceID] {
    try texts.map { text in
        guard let id = ResourceID(text) else { throw StateError("\(text.escapingControlCharacters) is not a resource id: write Kind/name, such as File/motd") }
        return id
    }
}
