import Testing
import DesiredState

/// gitignore's rules as `ignore` reads them, and Mustache as templates render it: pure, no git.
@Suite struct IgnoreAndTemplateTests {
    @Test(arguments: [
        // pattern, path, isFolder, ignored
        ("*.swp", ".vimrc.swp", false, true),
        ("*.swp", "deep/in/x.swp", false, true),
        ("/top.txt", "top.txt", false, true),
        ("/top.txt", "sub/top.txt", false, false),
        ("build/", "build", true, true),
        ("build/", "build", false, false),
        ("docs/*.md", "docs/a.md", false, true),
        ("docs/*.md", "docs/sub/a.md", false, false),
        ("**/logs", "a/b/logs", true, true),
        ("a/**/b", "a/b", false, true),
        ("a/**/b", "a/x/y/b", false, true),
        ("cache/**", "cache/x/y", false, true),
        ("cache/**", "cache", true, false),
        ("file[0-9]", "file7", false, true),
    ])
    func patternsMatchAsGitsDo(_ pattern: String, _ path: String, _ isFolder: Bool, _ ignored: Bool) {
        #expect(IgnoreRules(patterns: [pattern]).matches(path, isFolder: isFolder) == ignored)
    }

    @Test func theLastMatchWinsAndNothingInsideAnIgnoredFolderComesBack() {
        let rules = IgnoreRules(patterns: ["*.log", "!keep.log", "tmp/", "!tmp/wanted"])
        #expect(rules.ignores("a.log"))
        #expect(!rules.ignores("keep.log"))
        #expect(rules.ignores("tmp/wanted"), "git cannot re-include a file of an excluded folder")
        #expect(!rules.ignores("src/main.c"))
    }

    func render(_ text: String, _ values: [String: TemplateValues.Value]) -> TemplateRenderer.Rendering {
        TemplateRenderer.render(text, values: values, file: "files/t.conf")
    }

    @Test func valuesAreInsertedWithoutEscapingAndSectionsFollowFlagsAndLists() throws {
        let values: [String: TemplateValues.Value] = [
            "url": .text("http://a/?x=1&y=<2>"), "tls": .flag(false),
            "upstreams": .list([.map(["addr": .text("10.0.0.1")]), .map(["addr": .text("10.0.0.2")])]),
        ]
        guard case .text(let out) = render("{{url}}{{#tls}} tls{{/tls}}{{^tls}} plain{{/tls}}\n{{#upstreams}}server {{addr}};\n{{/upstreams}}", values) else {
            Issue.record("did not render")
            return
        }
        #expect(out == "http://a/?x=1&y=<2> plain\nserver 10.0.0.1;\nserver 10.0.0.2;\n")
    }

    @Test func anUndefinedNameIsPlacedAtItsTagEvenInsideSectionsAndDottedNames() {
        let values: [String: TemplateValues.Value] = ["host": .map(["name": .text("web1")]), "items": .list([.map(["a": .text("1")])])]
        guard case .problems(let problems) = render("a {{host.name}}\n{{#items}}{{a}} {{b}}{{/items}}\n  {{host.fqdn2}}\n", values) else {
            Issue.record("rendered with undefined names")
            return
        }
        #expect(problems.map(\.description) == [
            "files/t.conf:2:17: {{b}}: no value defines b (in vars/, hosts/<host>.yaml or the facts host.* and plumb.revision)",
            "files/t.conf:3:3: {{host.fqdn2}}: no value defines host.fqdn2 (in vars/, hosts/<host>.yaml or the facts host.* and plumb.revision)",
        ])
    }

    @Test func aBrokenTemplateOrAPartialIsRefusedWithItsPlace() {
        guard case .problems(let unclosed) = render("line one\n{{#open}}never closed\n", ["open": .flag(true)]) else {
            Issue.record("an unclosed section rendered")
            return
        }
        #expect(unclosed.first?.description.hasPrefix("files/t.conf:") == true)
        #expect(unclosed.first?.description.contains("a section is never closed") == true, "\(unclosed)")
        guard case .problems(let partial) = render("x\n  {{> other}}\n", [:]) else {
            Issue.record("a partial rendered")
            return
        }
        #expect(partial.map(\.description) == ["files/t.conf:2:3: a template cannot include another ({{>other}}): plumb renders each File on its own"])
    }
}

extension IgnoreAndTemplateTests {
    @Test func nestedSectionsOverLongListsStopInsteadOfFillingMemory() {
        let list = TemplateValues.Value.list((0..<2000).map { _ in .flag(true) })
        let text = "{{#l}}{{#l}}{{#l}}" + String(repeating: "x", count: 100) + "{{/l}}{{/l}}{{/l}}"
        guard case .problems(let problems) = render(text, ["l": list]) else {
            Issue.record("eight billion repetitions rendered")
            return
        }
        #expect(problems.map(\.description) == ["files/t.conf:1:1: the template renders too much (sections over long or nested lists): more than 256 MiB could come out, so plumb stopped"])
    }
}
