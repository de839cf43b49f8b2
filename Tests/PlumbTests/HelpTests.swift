import Foundation
import Testing
import TestSupport

/// Every command's help, as a user reads it: there, and clean.
@Suite struct HelpTests {
    @Test func everyCommandHasCleanHelp() throws {
        let root = try run(PlumbBinary.path, ["--help"])
        #expect(root.status == 0)
        let listing = root.stdout.components(separatedBy: "SUBCOMMANDS:").last?.components(separatedBy: "\n\n").first ?? ""
        let commands = listing.split(separator: "\n").compactMap { line -> String? in
            // "  name (default)   text" starts a command; a wrapped line starts with more spaces.
            guard line.hasPrefix("  "), !line.hasPrefix("   ") else { return nil }
            return line.split(separator: " ").first.map(String.init)
        }
        #expect(commands.contains("demo") && commands.contains("init") && commands.count >= 15, "\(commands)")
        for command in commands where command != "help" {
            let help = try run(PlumbBinary.path, [command, "--help"])
            #expect(help.status == 0, "\(command)")
            #expect(help.stdout.contains("USAGE: plumb \(command)"), "\(command): \(help.stdout)")
            #expect(!help.stdout.contains("\\\n") && !help.stdout.contains("\\ "), "a stray backslash in the help of \(command)")
            // Parsed by itself or through the whole tree (`plumb help <command>`): the same words.
            let viaHelp = try run(PlumbBinary.path, ["help", command])
            #expect(viaHelp.status == 0 && viaHelp.stdout == help.stdout, "plumb help \(command): \(viaHelp.stdout)")
        }
    }

    @Test func theVersionAndAMistakeOnACommandsLine() throws {
        let version = try run(PlumbBinary.path, ["--version"])
        #expect(version.status == 0 && version.stdout.hasPrefix("plumb 0.1.0 (ncurses "), "\(version.stdout)")
        let unknown = try run(PlumbBinary.path, ["history", "--since", "x"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.hasPrefix("plumb: Unknown option '--since'") && unknown.stderr.hasSuffix(" (see plumb help)\n"), "\(unknown.stderr)")
        #expect(unknown.stderr.split(separator: "\n").count == 1, "one sentence: \(unknown.stderr)")
        let invalid = try run(PlumbBinary.path, ["events", "-n", "many"])
        #expect(invalid.status == 1 && invalid.stderr.contains("'many' is invalid for '-n <N>'"), "\(invalid.stderr)")
        let misspelt = try run(PlumbBinary.path, ["statu", "--no-fetch"])
        #expect(misspelt.status == 1 && misspelt.stderr == "plumb: Unknown command 'statu'. Did you mean 'status'? (see plumb help)\n", "\(misspelt.stderr)")
        let hostile = try run(PlumbBinary.path, ["status", "--\u{1b}[2J"])
        #expect(hostile.status == 1 && !hostile.stderr.contains("\u{1b}"), "a control character in a word is escaped: \(hostile.stderr)")
    }
}
