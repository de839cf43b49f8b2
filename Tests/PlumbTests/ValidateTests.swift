import Foundation
import Testing
import TestSupport

/// A File's `validate` with the real binary and a real program (grep): the staged new content is
/// checked before it goes live; a refusal keeps the live file, journals `ValidationFailed` with
/// the exit and the command's last line, and stops what depends on the file.
@Suite struct ValidateTests {
    let fx: PlumbFixture

    init() throws {
        fx = try PlumbFixture()
    }

    func declare(_ content: String) throws {
        try fx.source.write("resources/web.yaml", """
            kind: File
            name: web-conf
            spec:
              path: etc/web.conf
              content: "\(content)"
              validate: ["grep", "-q", "^listen ", "{}"]
            ---
            kind: File
            name: after-web
            dependsOn: [File/web-conf]
            spec: {path: etc/after, content: "after\\n"}
            """)
        try fx.source.commit(content)
    }

    @Test func goodContentGoesLiveAndTheDryRunShowsTheCommand() throws {
        try declare("listen 80\\n")
        let plan = try fx.plumb("sync", "--dry-run")
        #expect(plan.stdout.contains("etc/web.conf (validate: grep -q ^listen  {})"), "\(plan.stdout)")
        #expect(try fx.plumb("sync").status == 0)
        #expect(fx.target.read("etc/web.conf") == "listen 80\n")
        #expect(fx.target.read("etc/after") == "after\n")
    }

    @Test func refusedContentLeavesTheLiveFileAndStopsItsDependents() throws {
        try declare("listen 80\\n")
        #expect(try fx.plumb("sync").status == 0)
        try fx.source.write("resources/other.yaml", "kind: File\nname: other\nspec: {path: etc/other, content: \"o\\n\"}\n")
        try declare("lisen 8080\\n")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(fx.target.read("etc/web.conf") == "listen 80\n", "the live file stays")
        #expect(fx.target.read("etc/other") == "o\n", "what does not depend on it is applied")
        let refused = try #require(try fx.messages(of: "ValidationFailed").last)
        #expect(refused.contains("validate (grep -q ^listen  {}) refused the new content of etc/web.conf: exit 1"), "\(refused)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fx.target.file("etc")).sorted() == ["after", "other", "web.conf"],
                "no staging file is left")
        #expect(try fx.plumb("status").stdout.contains("File/web-conf"), "still out of sync")
    }

    @Test func aValidatorThatDoesNotExistRefusesTheFile() throws {
        try fx.source.write("resources/web.yaml", "kind: File\nname: w\nspec: {path: w, content: x, validate: [no-such-validator, \"{}\"]}\n")
        try fx.source.commit("no validator")
        let sync = try fx.plumb("sync")
        #expect(sync.status == 1)
        #expect(!fx.target.exists("w"))
        #expect(try fx.messages(of: "ValidationFailed").last?.contains("no-such-validator was not found") == true)
    }

    @Test func aValidateWithoutThePlaceholderIsInvalid() throws {
        try fx.source.write("resources/web.yaml", "kind: File\nname: w\nspec: {path: w, content: x, validate: [\"true\"]}\n")
        try fx.source.commit("no placeholder")
        let check = try fx.plumb("check")
        #expect(check.status == 1)
        #expect((check.stdout + check.stderr).contains("resources/web.yaml:3:39: `validate` must name the new content with {}"), "\(check.stdout)\(check.stderr)")
    }

    @Test func aDirectorysValidateChecksEachOfItsFiles() throws {
        try fx.source.write("files/site/good.conf", "listen 1\n")
        try fx.source.write("files/site/bad.conf", "nothing\n")
        try fx.source.write("resources/site.yaml", "kind: Directory\nname: site\nspec:\n  path: site\n  source: files/site\n  validate: [grep, -q, \"^listen \", \"{}\"]\n")
        try fx.source.commit("site")
        #expect(try fx.plumb("sync").status == 1)
        #expect(fx.target.read("site/good.conf") == "listen 1\n")
        #expect(!fx.target.exists("site/bad.conf"))
    }
}
