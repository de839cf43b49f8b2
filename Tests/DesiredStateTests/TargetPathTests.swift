import Testing
import DesiredState

/// A manifest's `path` is normalized before anything touches the disk, or refused with a reason.
@Suite struct TargetPathTests {
    @Test(arguments: [
        ("a", "a"),
        ("a/b", "a/b"),
        ("./a//b", "a/b"),
        ("a/./b/", "a/b"),
        ("a///b///c", "a/b/c"),
        ("./etc/nginx/./nginx.conf", "etc/nginx/nginx.conf"),
        ("...", "..."),
        ("a/..b/c..", "a/..b/c.."),
        (".hidden/.file", ".hidden/.file"),
        ("caf\u{E9}/\u{65E5}\u{672C}", "caf\u{E9}/\u{65E5}\u{672C}"),
    ])
    func normalizes(_ raw: String, _ expected: String) throws {
        #expect(try TargetPath.normalize(raw).get() == expected)
    }

    @Test(arguments: [
        ("", "path is empty"),
        ("/etc/passwd", "path must be relative to the target, not absolute"),
        ("//etc", "path must be relative to the target, not absolute"),
        ("..", "path must stay inside the target: `..` is not allowed"),
        ("../x", "path must stay inside the target: `..` is not allowed"),
        ("a/../../x", "path must stay inside the target: `..` is not allowed"),
        ("a/b/..", "path must stay inside the target: `..` is not allowed"),
        (".", "path must name something inside the target, not the target itself"),
        ("./", "path must name something inside the target, not the target itself"),
        (".//./", "path must name something inside the target, not the target itself"),
        ("a\nb", "path contains a control character"),
        ("a\u{7F}b", "path contains a control character"),
        ("a\u{0}b", "path contains a control character"),
    ])
    func refuses(_ raw: String, _ problem: String) {
        switch TargetPath.normalize(raw) {
        case .success(let normalized): Issue.record("\(raw.debugDescription) was accepted as \(normalized.debugDescription)")
        case .failure(let refusal): #expect(refusal.description == problem)
        }
    }

    @Test(arguments: [
        ("a", []),
        ("a/b", ["a"]),
        ("a/b/c", ["a", "a/b"]),
        ("etc/nginx/conf.d/site.conf", ["etc", "etc/nginx", "etc/nginx/conf.d"]),
    ] as [(String, [String])])
    func ancestorsOutermostFirst(_ path: String, _ ancestors: [String]) {
        #expect(TargetPath.ancestors(of: path) == ancestors)
    }
}
