import ArgumentParser
import Foundation

/// Runs a command's body; any error becomes one clear sentence on stderr and exit status 1.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        FileHandle.standardError.write(Data("plumb: \(error)\n".utf8))
        throw ExitCode(1)
    }
}

/// Prints one JSON document.
func printJSON(_ value: Any) {
    print(JSONText.encode(value, pretty: true))
}
