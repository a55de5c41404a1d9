import Recorder
import Testing

/// One row of the gitignore behaviour table: root-file patterns, a path, and what git decides.
struct IgnoreCase: CustomTestStringConvertible, Sendable {
    let patterns: [String]
    let path: String
    let isDirectory: Bool
    let ignored: Bool
    var testDescription: String {
        let shown = patterns.map { $0.count > 40 ? String($0.prefix(40)) + "…" : $0 }
        let shownPath = path.count > 40 ? String(path.prefix(40)) + "…" : path
        return "\(shown) \(shownPath)\(isDirectory ? "/" : "") → \(ignored ? "ignored" : "kept")"
    }

    init(_ patterns: [String], _ path: String, dir: Bool = false, _ ignored: Bool) {
        self.patterns = patterns; self.path = path; self.isDirectory = dir; self.ignored = ignored
    }
}

@Suite struct IgnoreRulesTests {
    /// Cases from gitignore(5) and git's wildmatch tests.
    static let table: [IgnoreCase] = [
        // A pattern without a slash matches the name at any depth.
        IgnoreCase(["hello.*"], "hello.txt", true),
        IgnoreCase(["hello.*"], "a/b/hello.c", true),
        IgnoreCase(["hello.*"], "hello", false),
        // A leading slash anchors to the ignore file's directory.
        IgnoreCase(["/hello.*"], "hello.txt", true),
        IgnoreCase(["/hello.*"], "a/hello.java", false),
        // A slash in the middle anchors too: doc/frotz matches only at the top.
        IgnoreCase(["doc/frotz/"], "doc/frotz", dir: true, true),
        IgnoreCase(["doc/frotz/"], "a/doc/frotz", dir: true, false),
        IgnoreCase(["doc/frotz"], "doc/frotz", true),
        IgnoreCase(["/doc/frotz"], "doc/frotz", true),
        // A trailing slash matches directories only (and everything inside them).
        IgnoreCase(["frotz/"], "frotz", dir: true, true),
        IgnoreCase(["frotz/"], "a/frotz", dir: true, true),
        IgnoreCase(["frotz/"], "frotz", false),
        IgnoreCase(["frotz/"], "frotz/file", true),
        IgnoreCase(["build"], "src/build/out.o", true),
        // `*` does not cross a slash.
        IgnoreCase(["Documentation/*.html"], "Documentation/git.html", true),
        IgnoreCase(["Documentation/*.html"], "Documentation/ppc/ppc.html", false),
        IgnoreCase(["Documentation/*.html"], "tools/perf/Documentation/perf.html", false),
        IgnoreCase(["foo/*"], "foo/test.json", true),
        IgnoreCase(["foo/*"], "foo/bar", dir: true, true),
        IgnoreCase(["foo/*"], "foo", dir: true, false),
        IgnoreCase(["*.o"], "dir.o/keep", true),
        // `?` and classes match one character, never a slash.
        IgnoreCase(["?.txt"], "a.txt", true),
        IgnoreCase(["?.txt"], "ab.txt", false),
        IgnoreCase(["a?b"], "a/b", false),
        IgnoreCase(["[a-c]x"], "bx", true),
        IgnoreCase(["[a-c]x"], "dx", false),
        IgnoreCase(["[!a-c]x"], "dx", true),
        IgnoreCase(["[!a-c]x"], "ax", false),
        IgnoreCase(["[^a]x"], "ax", false),
        IgnoreCase(["[]]x"], "]x", true),
        IgnoreCase(["[!]]x"], "]x", false),
        IgnoreCase(["[a-]x"], "-x", true),
        IgnoreCase(["[[:digit:]]x"], "7x", true),
        IgnoreCase(["[[:digit:]]x"], "ax", false),
        IgnoreCase(["x[[:upper:][:space:]]"], "x ", true),
        IgnoreCase(["a[/]b"], "a/b", false),
        IgnoreCase(["[abc"], "[abc", false),  // an unterminated class matches nothing
        IgnoreCase(["[[:nosuch:]]"], "a", false),
        // `**/` leads, `/**` trails, `/**/` spans zero or more directories.
        IgnoreCase(["**/foo"], "foo", true),
        IgnoreCase(["**/foo"], "x/y/foo", true),
        IgnoreCase(["**/foo/bar"], "foo/bar", true),
        IgnoreCase(["**/foo/bar"], "a/foo/bar", true),
        IgnoreCase(["**/foo/bar"], "a/foo/baz", false),
        IgnoreCase(["abc/**"], "abc/x", true),
        IgnoreCase(["abc/**"], "abc/x/y/z", true),
        IgnoreCase(["abc/**"], "abc", dir: true, false),
        IgnoreCase(["abc/**"], "x/abc/y", false),
        IgnoreCase(["a/**/b"], "a/b", true),
        IgnoreCase(["a/**/b"], "a/x/b", true),
        IgnoreCase(["a/**/b"], "a/x/y/b", true),
        IgnoreCase(["a/**/b"], "a/x/y/c", false),
        IgnoreCase(["a/**b"], "a/x/b", false),  // `**` not alone in its component is a plain `*`
        IgnoreCase(["a/**b"], "a/xb", true),
        IgnoreCase(["**"], "any/thing", true),
        IgnoreCase(["*"], "deep/thing", true),
        // Negation: the last matching pattern decides.
        IgnoreCase(["*.html", "!foo.html"], "foo.html", false),
        IgnoreCase(["*.html", "!foo.html"], "bar.html", true),
        IgnoreCase(["!foo.html", "*.html"], "foo.html", true),
        // A file in an excluded directory cannot be re-included.
        IgnoreCase(["build/", "!build/keep.txt"], "build/keep.txt", true),
        // Excluding everything but foo/bar (gitignore(5) example).
        IgnoreCase(["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo/bar", dir: true, false),
        IgnoreCase(["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo/bar/deep.c", false),
        IgnoreCase(["/*", "!/foo", "/foo/*", "!/foo/bar"], "foo/baz", true),
        IgnoreCase(["/*", "!/foo", "/foo/*", "!/foo/bar"], "top.txt", true),
        // Escapes, comments, blank lines and trailing spaces.
        IgnoreCase(["#foo"], "#foo", false),
        IgnoreCase(["\\#foo"], "#foo", true),
        IgnoreCase(["\\!important"], "!important", true),
        IgnoreCase(["", "   ", "# comment"], "comment", false),
        IgnoreCase(["foo   "], "foo", true),
        IgnoreCase(["foo\\ "], "foo ", true),
        IgnoreCase(["foo\\ "], "foo", false),
        IgnoreCase(["\\*"], "*", true),
        IgnoreCase(["\\*"], "x", false),
        IgnoreCase(["a\\?"], "a?", true),
        IgnoreCase(["a\\?"], "ab", false),
        // Hostile patterns terminate without matching.
        IgnoreCase(["a*a*a*a*a*a*a*a*a*a*b"], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false),
        IgnoreCase(["**/**/**/**/**/**/**/**/z"], "a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/y", false),
        IgnoreCase([String(repeating: "**/", count: 5000) + "z"], "a/b/z", true),
        IgnoreCase([String(repeating: "?", count: 5000)], String(repeating: "x", count: 200), false),
        IgnoreCase([String(repeating: "*a", count: 300)], String(repeating: "a", count: 1000), true),
        IgnoreCase(["\\"], "x", false),
        IgnoreCase(["!"], "!", false),
        IgnoreCase(["/"], "x", dir: true, false),
    ]

    @Test(arguments: table) func gitignoreBehaviour(_ c: IgnoreCase) {
        var rules = IgnoreRules(defaults: [])
        rules.add(contents: c.patterns.joined(separator: "\n"), base: "")
        #expect(rules.isIgnored(c.path, isDirectory: c.isDirectory) == c.ignored)
    }

    @Test func gitDirectoryIsIgnoredByDefault() {
        let rules = IgnoreRules()
        #expect(rules.isIgnored(".git", isDirectory: true))
        #expect(rules.isIgnored(".git/config", isDirectory: false))
        #expect(rules.isIgnored("vendor/lib/.git", isDirectory: true))
        #expect(!rules.isIgnored(".gitignore", isDirectory: false))
        #expect(!rules.isIgnored(".git", isDirectory: false))
    }

    @Test func defaultsWinOverNegation() {
        var rules = IgnoreRules(defaults: [".git/", "*.secret"])
        rules.add(contents: "!.git/\n!x.secret\n", base: "")
        #expect(rules.isIgnored(".git", isDirectory: true))
        #expect(rules.isIgnored("x.secret", isDirectory: false))
        #expect(!IgnoreRules(defaults: []).isIgnored(".git", isDirectory: true))
    }

    @Test func nestedFilesApplyToTheirSubtree() {
        var rules = IgnoreRules(defaults: [])
        rules.add(contents: "*.log\n", base: "")
        rules.add(contents: "!keep.log\n/build\n*.tmp\n", base: "sub")
        #expect(rules.isIgnored("a.log", isDirectory: false))
        #expect(rules.isIgnored("sub/a.log", isDirectory: false))
        #expect(!rules.isIgnored("sub/keep.log", isDirectory: false))
        #expect(!rules.isIgnored("sub/deeper/keep.log", isDirectory: false))
        #expect(rules.isIgnored("keep.log", isDirectory: false))
        #expect(rules.isIgnored("sub/build", isDirectory: true))
        #expect(!rules.isIgnored("build", isDirectory: true))
        #expect(!rules.isIgnored("sub/x/build", isDirectory: true))
        #expect(rules.isIgnored("sub/x/a.tmp", isDirectory: false))
        #expect(!rules.isIgnored("a.tmp", isDirectory: false))
        #expect(!rules.isIgnored("subway/a.tmp", isDirectory: false))
    }

    @Test func deeperFileAddedFirstStillWins() {
        var rules = IgnoreRules(defaults: [])
        rules.add(contents: "!x.log\n", base: "a/b/")
        rules.add(contents: "*.log\n", base: "")
        #expect(!rules.isIgnored("a/b/x.log", isDirectory: false))
        #expect(rules.files.map(\.base) == ["", "a/b"])
    }

    @Test func verdictDistinguishesReincludedFromUnmatched() {
        var rules = IgnoreRules(defaults: [])
        rules.add(contents: "*.c\n!main.c\n", base: "")
        #expect(rules.verdict("x.c", isDirectory: false) == true)
        #expect(rules.verdict("main.c", isDirectory: false) == false)
        #expect(rules.verdict("x.h", isDirectory: false) == nil)
    }

    @Test func patternLineParsing() throws {
        let p = try #require(IgnorePattern(line: "!/doc/frotz/  "))
        #expect(p.isNegated && p.isDirectoryOnly && p.isAnchored)
        #expect(p.source == "!/doc/frotz/")
        let q = try #require(IgnorePattern(line: "*.o\r"))
        #expect(!q.isNegated && !q.isDirectoryOnly && !q.isAnchored)
        #expect(!(try #require(IgnorePattern(line: "frotz/"))).isAnchored)
        #expect(IgnorePattern(line: "# comment") == nil)
        #expect(IgnorePattern(line: "   ") == nil)
        #expect(IgnorePattern(line: "!") == nil)
    }

    @Test func fileContentsWithBOMAndCRLF() {
        let file = IgnoreFile(base: "", contents: [0xEF, 0xBB, 0xBF] + Array("*.o\r\n\r\n# c\r\n!a.o".utf8))
        #expect(file.patterns.map(\.source) == ["*.o", "!a.o"])
        let bare = IgnoreFile(base: "", contents: Array("ab\n\u{FEFF}x".utf8))
        #expect(bare.patterns.map(\.source) == ["ab", "\u{FEFF}x"])
    }
}
