import Testing
@testable import Analysis

@Suite struct ShellCommandTests {
    @Test func splitsListsPipesAndQuotes() {
        let c = ShellCommand.parse("cd 'my dir' && FOO=1 make test | tee out.log; echo \"a b\" > notes.txt 2>&1")
        #expect(c.map(\.words) == [["cd", "my dir"], ["make", "test"], ["tee", "out.log"], ["echo", "a b"]])
        #expect(c[1].assignments == ["FOO": "1"])
        #expect(c[3].writes == ["notes.txt"])
    }

    @Test func opensShellScriptsAndSubstitutions() {
        let c = ShellCommand.parse("sudo bash -c 'git push -f' && echo `rm -rf x` $(ls \"$(pwd)\")")
        let programs = c.map { CommandInvocation(words: $0.words).program }
        #expect(programs.contains("git") && programs.contains("rm") && programs.contains("ls") && programs.contains("pwd"))
    }

    @Test func peelsWrappers() {
        let line = CommandInvocation(words: ["sudo", "-u", "root", "env", "A=1", "-u", "B", "timeout", "5", "/usr/bin/git", "push", "--force"])
        #expect(line.wrappers == ["sudo", "env", "timeout"] && line.program == "git")
        #expect(line.envAssignments == ["A": "1"] && line.envUnsets == ["B"])
        #expect(line.hasFlag("--force") && !line.hasFlag("-f"))
        #expect(line.operands == ["push"])
    }

    @Test func flagsAfterDoubleDashAreOperands() {
        let line = CommandInvocation(words: ["rm", "--", "-rf"])
        #expect(!line.hasFlag("-r") && line.operands == ["-rf"])
    }

    @Test(arguments: ["'unterminated", "\"open $(", "a \\", "$(((((", "`", ">", "2>", "&&&&;;||", "\u{0}\u{1}", "#only comment",
                      String(repeating: "$(", count: 5_000), String(repeating: "bash -c '", count: 200), String(repeating: "'", count: 10_001)])
    func hostileInputParsesWithoutTrapping(_ text: String) {
        let commands = ShellCommand.parse(text)
        #expect(commands.count <= text.unicodeScalars.count + 1)
    }

    @Test func hostNamesAndLoopback() {
        #expect(HostName.of(url: "https://user:pw@API.Example.com:8443/x?y") == "api.example.com")
        #expect(HostName.of(url: "http://[::1]:80/") == "::1")
        #expect(HostName.of(url: "localhost:8080/health") == "localhost")
        #expect(HostName.isLocal("127.1.2.3") && HostName.isLocal("app.localhost") && !HostName.isLocal("10.0.0.1"))
        #expect(!HostName.isLocal("127.0.0.1.evil.com"))
    }

    @Test func scopeResolvesRelativeAndAbsolutePaths() {
        let scope = PathScope(workspace: "/w/repo/")
        #expect(scope.workspaceRelative("/w/repo/src/a.py") == "src/a.py")
        #expect(scope.workspaceRelative("./src/../tests/x") == "tests/x")
        #expect(scope.workspaceRelative("../other") == nil)
        #expect(scope.workspaceRelative("/w/repository/x") == nil)
        #expect(scope.workspaceRelative("~/x") == nil)
        #expect(scope.isScratch("./build/x") && scope.isScratch("/w/repo/node_modules") && scope.isScratch("/tmp/a"))
        #expect(!scope.isScratch("src") && !scope.isScratch(".") && !scope.isScratch("/tmpfoo"))
    }
}
