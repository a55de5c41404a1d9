import Foundation
import Recorder
import Synchronization
import Testing
import TraceModel

/// A temporary directory removed when the value is released.
final class ClaudeCodeTempDirectory {
    let path: String

    init() {
        var template = Array("/tmp/parallax-hook-XXXXXX".utf8CString)
        path = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }
    func write(_ relative: String, _ text: String) { _ = FileManager.default.createFile(atPath: path + "/" + relative, contents: Data(text.utf8)) }
    func read(_ relative: String) -> String? { FileManager.default.contents(atPath: path + "/" + relative).map { String(decoding: $0, as: UTF8.self) } }
}

@Suite struct ClaudeCodeSessionMapTests {
    static func isSafeName(_ name: String) -> Bool {
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-")
        return !name.isEmpty && name.count <= 130 && name.allSatisfy(allowed.contains) && !name.hasPrefix(".")
    }

    @Test(arguments: [
        "../../etc", "..", ".", "", "/etc/passwd", "a/b", "a\u{0}b", ".lock-x", "-rf", "_deadbeef", "ünïcödé", "line\nbreak",
        String(repeating: "a", count: 129), String(repeating: "../", count: 50),
    ])
    func hostileIDsBecomeHashedNames(id: String) {
        let name = ClaudeCodeSessionMap.fileName(for: id)
        #expect(Self.isSafeName(name))
        #expect(name == "_" + Digest.sha256(Array(id.utf8)).hex)
    }

    @Test(arguments: ["b23e5d8a-855f-44c5-95f0-075485a6ffcf", "abc", "A.b_c-1", String(repeating: "a", count: 128)])
    func plainIDsAreKept(id: String) {
        #expect(ClaudeCodeSessionMap.fileName(for: id) == id)
    }

    @Test func stateSurvivesNewInstances() throws {
        let dir = ClaudeCodeTempDirectory()
        let id = "b23e5d8a-855f-44c5-95f0-075485a6ffcf"
        let session = SessionID.generate()
        try ClaudeCodeSessionMap(spoolPath: dir.path).update(id) { entry in
            #expect(entry.state == nil)
            #expect(entry.unreadable == nil)
            var state = ClaudeCodeHookState(claudeSessionID: id, session: session, started: true, permissionMode: "default")
            state.rememberCall(id: "toolu_1", key: "k", seq: 3)
            state.rememberCall(id: nil, key: "Bash abc", seq: 5)
            entry.state = state
        }
        #expect(dir.exists("hooks/claude-code/" + id))
        let loaded = try #require(try ClaudeCodeSessionMap(spoolPath: dir.path + "/").load(id))
        #expect(loaded.session == session)
        #expect(loaded.started)
        #expect(loaded.calls == ["toolu_1": 3])
        #expect(loaded.unnamedCalls == ["Bash abc": [5]])
        #expect(loaded.permissionMode == "default")
        let seen = try ClaudeCodeSessionMap(spoolPath: dir.path).update(id) { entry in entry.state?.session }
        #expect(seen == session)
    }

    @Test func hostileIDStaysInsideTheMapDirectory() throws {
        let dir = ClaudeCodeTempDirectory()
        let spool = dir.path + "/spool"
        let id = "../../../escaped"
        try ClaudeCodeSessionMap(spoolPath: spool).update(id) { entry in
            entry.state = ClaudeCodeHookState(claudeSessionID: id, session: .generate())
        }
        #expect(!dir.exists("escaped"))
        #expect(!dir.exists("spool/escaped"))
        let name = ClaudeCodeSessionMap.fileName(for: id)
        #expect(dir.exists("spool/hooks/claude-code/" + name))
        #expect(try ClaudeCodeSessionMap(spoolPath: spool).load(id)?.claudeSessionID == id)
    }

    @Test func unreadableStateIsMovedAsideAndReplaced() throws {
        let dir = ClaudeCodeTempDirectory()
        let map = ClaudeCodeSessionMap(spoolPath: dir.path)
        try map.update("s1") { $0.state = ClaudeCodeHookState(claudeSessionID: "s1", session: .generate()) }
        dir.write("hooks/claude-code/s1", "{not json")
        #expect(throws: ClaudeCodeSessionMapError.self) { try map.load("s1") }
        let fresh = SessionID.generate()
        try map.update("s1") { entry in
            #expect(entry.state == nil)
            #expect(entry.unreadable?.contains("invalid JSON") == true)
            entry.state = ClaudeCodeHookState(claudeSessionID: "s1", session: fresh)
        }
        #expect(dir.read("hooks/claude-code/.corrupt-s1") == "{not json")
        #expect(try map.load("s1")?.session == fresh)
    }

    @Test func stateOfAnotherSessionIsNotUsed() throws {
        let dir = ClaudeCodeTempDirectory()
        let map = ClaudeCodeSessionMap(spoolPath: dir.path)
        let other = ClaudeCodeHookState(claudeSessionID: "other", session: .generate())
        try map.update("s2") { $0.state = ClaudeCodeHookState(claudeSessionID: "s2", session: .generate()) }
        dir.write("hooks/claude-code/s2", String(decoding: other.encoded(), as: UTF8.self))
        try map.update("s2") { entry in
            #expect(entry.state == nil)
            #expect(entry.unreadable == "it belongs to another Claude session")
        }
    }

    @Test func nothingIsStoredWhenTheBodyThrows() throws {
        struct Stop: Error {}
        let dir = ClaudeCodeTempDirectory()
        let map = ClaudeCodeSessionMap(spoolPath: dir.path)
        #expect(throws: Stop.self) {
            try map.update("s3") { entry in
                entry.state = ClaudeCodeHookState(claudeSessionID: "s3", session: .generate())
                throw Stop()
            }
        }
        #expect(try map.load("s3") == nil)
    }

    @Test func clearingTheStateRemovesTheFile() throws {
        let dir = ClaudeCodeTempDirectory()
        let map = ClaudeCodeSessionMap(spoolPath: dir.path)
        try map.update("s4") { $0.state = ClaudeCodeHookState(claudeSessionID: "s4", session: .generate()) }
        try map.update("s4") { $0.state = nil }
        #expect(!dir.exists("hooks/claude-code/s4"))
    }

    @Test func symlinkedMapDirectoryIsRefused() throws {
        let dir = ClaudeCodeTempDirectory()
        let elsewhere = ClaudeCodeTempDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/hooks", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir.path + "/hooks/claude-code", withDestinationPath: elsewhere.path)
        let error = try #require(throws: ClaudeCodeSessionMapError.self) {
            try ClaudeCodeSessionMap(spoolPath: dir.path).update("s5") { $0.state = ClaudeCodeHookState(claudeSessionID: "s5", session: .generate()) }
        }
        #expect(error.path.hasSuffix("hooks/claude-code"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path).isEmpty)
    }

    @Test func concurrentUpdatesAreSerialized() throws {
        // Each thread stands for a hook process; without the lock, read-modify-write would lose entries.
        let dir = ClaudeCodeTempDirectory()
        let map = ClaudeCodeSessionMap(spoolPath: dir.path)
        let session = SessionID.generate()
        let threads = 4, rounds = 25
        let done = DispatchSemaphore(value: 0)
        let failures = ClaudeCodeCounter()
        for t in 0..<threads {
            Thread.detachNewThread {
                for r in 0..<rounds {
                    do {
                        try map.update("shared") { entry in
                            var state = entry.state ?? ClaudeCodeHookState(claudeSessionID: "shared", session: session)
                            state.rememberCall(id: "t\(t)-\(r)", key: "", seq: UInt64(state.calls.count))
                            entry.state = state
                        }
                    } catch {
                        failures.add()
                    }
                }
                done.signal()
            }
        }
        for _ in 0..<threads { done.wait() }
        #expect(failures.value == 0)
        let state = try #require(try map.load("shared"))
        #expect(state.calls.count == threads * rounds)
        #expect(Set(state.calls.values) == Set((0..<UInt64(threads * rounds))))
    }
}

/// A thread-safe counter for tests.
final class ClaudeCodeCounter: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
