import DemoAgent
import Foundation
import Testing

/// A fresh temporary directory, removed when the value is released.
final class TempDirectory: @unchecked Sendable {
    // @unchecked: immutable after init.
    let path: String
    init() {
        path = NSTemporaryDirectory() + "parallax-demo-" + UUID().uuidString
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
}

@Suite("task workspaces")
struct WorkspaceTests {
    @Test func everyTaskHasItsOwnModuleAndBug() {
        #expect(DemoTask.catalog.count >= 4)
        #expect(Set(DemoTask.catalog.map(\.id)).count == DemoTask.catalog.count)
        #expect(Set(DemoTask.catalog.map(\.module)).count == DemoTask.catalog.count)
        #expect(Set(DemoTask.catalog.map(\.fix)).count == DemoTask.catalog.count)
    }

    @Test(arguments: DemoTask.catalog)
    func aWorkspaceHasAFailingTestDataAndAnOriginOneCommitAhead(task: DemoTask) throws {
        let dir = TempDirectory()
        let workspace = try TaskWorkspace.create(task: task, directory: dir.file("ws"))
        #expect(workspace.origin == dir.file("ws") + ".origin.git")
        for (path, content) in workspace.files {
            #expect(try String(contentsOfFile: workspace.directory + "/" + path, encoding: .utf8) == content)
        }
        let shell = SystemShell(shell: "/bin/sh", directory: workspace.directory)
        let tests = shell.run(DemoTask.testCommand)
        #expect(tests.status == 1, "the planted bug fails the tests")
        #expect(tests.output.contains("FAIL: test_recorded_cases"), "\(tests.output)")
        #expect(tests.output.contains("Ran 2 tests"))
        #expect(shell.run("git status --porcelain").output.isEmpty, "everything but the records is committed")
        #expect(shell.run("git check-ignore -q data/records.jsonl").succeeded)
        #expect(shell.run("git fetch -q origin && git rev-list --count main..origin/main").output == "1\n")
        #expect(!FileManager.default.fileExists(atPath: workspace.directory + "/tests/__pycache__"), "-B writes no bytecode into tests/")
        // The fix alone makes the tests pass.
        #expect(shell.run(task.fix).succeeded)
        #expect(shell.run(DemoTask.testCommand).succeeded)
    }

    @Test func refusesANonEmptyDirectoryOrAnExistingOrigin() throws {
        let dir = TempDirectory()
        try FileManager.default.createDirectory(atPath: dir.file("ws"), withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir.file("ws/keep"), contents: Data("x".utf8)))
        #expect(throws: DemoAgentError.self) { try TaskWorkspace.create(task: DemoTask.catalog[0], directory: dir.file("ws")) }
        try FileManager.default.createDirectory(atPath: dir.file("other.origin.git"), withIntermediateDirectories: true)
        do {
            try TaskWorkspace.create(task: DemoTask.catalog[0], directory: dir.file("other"))
            Issue.record("an existing origin was overwritten")
        } catch {
            #expect(error.message.contains("already exists"))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("ws")) == ["keep"])
    }
}
