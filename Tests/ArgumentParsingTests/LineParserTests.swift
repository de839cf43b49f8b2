import Testing
@testable import ArgumentParsing

/// A command of every kind of parameter, as plumb's own commands declare them.
struct Sample: Command {
    enum Mode: String, ArgumentValue, CaseIterable { case fast, safe }

    static let summary = CommandSummary(name: "sample", abstract: "Try every kind of parameter.", discussion: "Exit status: 0.")

    var group = Shared()
    var all = false
    var follow = false
    var count: Int?
    var reason: String?
    var mode: Mode?
    var theme = "default"
    var name = ""
    var revision: String?
    var ids: [String] = []

    static var parameters: [Parameter<Sample>] {
        Parameter.group(\.group) + [
            .flag(\.all, "all", short: "a", help: "All of them."),
            .flag(\.follow, "follow", short: "f", help: "Keep going."),
            .option(\.count, nil, short: "n", value: "N", help: "Only N."),
            .option(\.reason, "reason", value: "text", help: "Why."),
            .option(\.mode, "mode", value: "how", help: "How."),
            .option(\.theme, "theme", value: "name", help: "The theme."),
            .argument(\.name, value: "name", help: "A name."),
            .argument(\.revision, value: "rev", help: "A revision."),
            .arguments(\.ids, value: "id", help: "Resources."),
        ]
    }

    func validate() throws(UsageError) {
        if let count, count < 0 { throw UsageError("-n must be 0 or more, not \(count)") }
    }

    func run() async throws {}
}

struct Shared: ParameterGroup {
    var repo: String?
    var noFetch = false

    static var parameters: [Parameter<Shared>] {
        [
            .option(\.repo, "repo", value: "url|path", help: "The source."),
            .flag(\.noFetch, "no-fetch", help: "Do not fetch."),
        ]
    }
}

/// Parses `words` as `sample`, validated, as `plumb sample ...` would.
func parsed(_ words: String...) throws(UsageError) -> Sample {
    switch try LineParser.parse(words, as: Sample.self) {
    case .help: throw UsageError("asked for help")
    case .run(let sample):
        try sample.validate()
        return sample
    }
}

/// The one sentence a mistake on `words` is told with.
func mistake(_ words: String...) -> String? {
    do {
        switch try LineParser.parse(words, as: Sample.self) {
        case .help: return "help"
        case .run(let sample):
            try sample.validate()
            return nil
        }
    } catch {
        return error.description
    }
}

@Suite struct LineParserTests {
    @Test func optionsFlagsAndArgumentsLandInTheirProperties() throws {
        let sample = try parsed("--repo", "/src", "-a", "--mode=safe", "web", "abc123", "File/a", "File/b", "--no-fetch", "-n", "3")
        #expect(sample.group.repo == "/src" && sample.group.noFetch)
        #expect(sample.all && !sample.follow && sample.count == 3 && sample.mode == .safe && sample.theme == "default")
        #expect(sample.name == "web" && sample.revision == "abc123" && sample.ids == ["File/a", "File/b"])
        let bare = try parsed("web")
        #expect(bare.group.repo == nil && !bare.all && bare.count == nil && bare.revision == nil && bare.ids.isEmpty)
    }

    @Test func shortNamesGroupAndTakeTheirValueAttached() throws {
        let sample = try parsed("-af", "-n5", "web")
        #expect(sample.all && sample.follow && sample.count == 5)
        #expect(try parsed("-an", "7", "web").count == 7)
        #expect(try parsed("-fn7", "web").count == 7)
    }

    @Test func theLastOfARepeatedOptionWins() throws {
        #expect(try parsed("--theme", "light", "--theme=dark", "web").theme == "dark")
        #expect(try parsed("-a", "-a", "web").all)
    }

    @Test func aValueMayStartWithADashUnlessItIsAnOptionsName() throws {
        #expect(try parsed("--reason", "-x: not needed", "web").reason == "-x: not needed")
        #expect(try parsed("--reason", "--", "web").reason == "--")
        #expect(mistake("--reason", "--no-fetch", "web") == "Missing value for '--reason <text>'")
        #expect(mistake("--reason", "-a", "web") == "Missing value for '--reason <text>'")
        #expect(mistake("web", "--reason") == "Missing value for '--reason <text>'")
        #expect(mistake("web", "--reason=") == "Missing value for '--reason <text>'")
        #expect(mistake("web", "-n") == "Missing value for '-n <N>'")
    }

    @Test func afterTwoDashesEveryWordIsAnArgument() throws {
        let sample = try parsed("--", "-a", "--repo", "x")
        #expect(sample.name == "-a" && sample.revision == "--repo" && sample.ids == ["x"] && !sample.all && sample.group.repo == nil)
        #expect(try parsed("-").name == "-")
    }

    @Test func eachMistakeIsOneSentenceNamingTheWordAtFault() {
        #expect(mistake("web", "--colour") == "Unknown option '--colour'")
        #expect(mistake("web", "--thme") == "Unknown option '--thme'. Did you mean '--theme'?")
        #expect(mistake("web", "--since") == "Unknown option '--since'")
        #expect(mistake("web", "-x") == "Unknown option '-x'")
        #expect(mistake("web", "-ax") == "Unknown option '-x'")
        #expect(mistake("web", "--all=yes") == "'--all' takes no value")
        #expect(mistake("web", "-n", "many") == "The value 'many' is invalid for '-n <N>'")
        #expect(mistake("web", "--mode", "slow") == "The value 'slow' is invalid for '--mode <how>': give fast or safe")
        #expect(mistake() == "Missing expected argument '<name>'")
        #expect(mistake("web", "-n", "-3") == "-n must be 0 or more, not -3")
    }

    @Test func wordsBeyondTheArgumentsAreUnexpected() {
        struct One: Command {
            static let summary = CommandSummary(name: "one", abstract: "One word.")
            var dir = ""
            static var parameters: [Parameter<One>] { [.argument(\.dir, value: "dir", help: "A folder.")] }
            func run() async throws {}
        }
        #expect(throws: UsageError("Unexpected argument 'b'")) { try LineParser.parse(["a", "b"], as: One.self) }
    }

    @Test func helpIsAskedForAnywhereBeforeTwoDashes() throws {
        #expect(mistake("web", "--help") == "help")
        #expect(mistake("-h") == "help")
        #expect(mistake("-ah") == "help")
        #expect(mistake("--bogus", "--help") == "Unknown option '--bogus'")
        #expect(try parsed("--", "--help").name == "--help")
    }

    @Test func editDistanceCountsLettersInsertedDeletedOrReplaced() {
        #expect(editDistance("colour", "color") == 1)
        #expect(editDistance("", "abc") == 3 && editDistance("abc", "") == 3)
        #expect(editDistance("kitten", "sitting") == 3)
        #expect(nearest("--thme", among: ["--repo", "--theme"]) == "--theme")
        #expect(nearest("--tem", among: ["--theme", "--them"]) == "--them")
        #expect(nearest("--since", among: ["--state"]) == nil)
        // A huge word is told as unknown without being compared letter by letter with each name.
        let huge = "--" + String(repeating: "x", count: 200_000)
        #expect(mistake("web", huge) == "Unknown option '\(huge)'")
    }
}
