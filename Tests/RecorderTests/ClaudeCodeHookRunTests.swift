import Foundation
import Recorder
import Testing
import TraceModel

/// `ClaudeCodeHook.run` end to end: payload bytes in, events in a real spool, one call per "process".
@Suite struct ClaudeCodeHookRunTests {
    static let claudeID = "0f6f7c1e-5b7d-4a59-8f0e-3c9a1d2b4e60"

    static func input(_ event: String, _ extra: [String: JSONValue] = [:], session: String = claudeID) -> [UInt8] {
        var fields: [String: JSONValue] = ["session_id": .string(session), "hook_event_name": .string(event), "cwd": "/work/repo",
                                           "transcript_path": "/home/u/.claude/projects/repo/s.jsonl", "permission_mode": "default"]
        fields.merge(extra) { $1 }
        return JSONValue.object(fields).canonicalBytes()
    }

    final class Fixture {
        let dir = ClaudeCodeTempDirectory()
        var spoolPath: String { dir.path + "/spool" }

        @discardableResult
        func run(_ input: [UInt8], inlineBytes: Int = 64 << 10) throws -> ClaudeCodeHook.Outcome {
            try ClaudeCodeHook.run(input: input, spoolPath: spoolPath, mapperOptions: .init(inlineBytes: inlineBytes))
        }

        func events(_ session: SessionID) throws -> [Event] {
            try Spool(path: spoolPath).records(of: session, after: nil, limit: .max).map { try Event.decode($0.bytes) }
        }

        func sessions() throws -> [SessionID] { try Spool(path: spoolPath).sessionIDs() }
    }

    @Test func aWholeSessionLandsInTheSpool() throws {
        let f = Fixture()
        let start = try f.run(Self.input("SessionStart", ["source": "startup"]))
        #expect(start.isNewSession)
        #expect(start.events.map(\.seq) == [0])
        try f.run(Self.input("UserPromptSubmit", ["prompt": "list the files"]))
        try f.run(Self.input("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls"], "tool_use_id": "toolu_1"]))
        let post = try f.run(Self.input("PostToolUse", ["tool_name": "Bash", "tool_input": ["command": "ls"], "tool_use_id": "toolu_1",
                                                        "tool_response": ["stdout": "a.txt\n", "stderr": "", "interrupted": false]]))
        #expect(!post.isNewSession)
        #expect(post.session == start.session)
        try f.run(Self.input("Stop", ["stop_hook_active": false]))
        try f.run(Self.input("SessionEnd", ["reason": "prompt_input_exit"]))

        let events = try f.events(start.session)
        #expect(events.map(\.kind) == [.sessionStart, .message, .toolCall, .toolResult, .annotation, .sessionEnd])
        #expect(events.map(\.seq) == [0, 1, 2, 3, 4, 5])
        #expect(events[3].cause == 2)
        #expect(events[3].data["call_id"] == "toolu_1")
        #expect(events[3].data["output"]?["stdout"] == "a.txt\n")
        #expect(events[0].data["labels"]?["claude_session_id"] == .string(Self.claudeID))
        #expect(ChainVerifier.verify(events).isIntact)
        #expect(try Spool(path: f.spoolPath).isEnded(start.session))
        let state = try #require(try ClaudeCodeSessionMap(spoolPath: f.spoolPath).load(Self.claudeID))
        #expect(state.session == start.session)
        #expect(state.ended)
        #expect(state.calls.isEmpty)
    }

    @Test func firstHookOtherThanStartStillStartsAtSeqZero() throws {
        let f = Fixture()
        let outcome = try f.run(Self.input("PostToolUse", ["tool_name": "Read", "tool_input": ["file_path": "/a"], "tool_response": "x"]))
        #expect(outcome.isNewSession)
        let events = try f.events(outcome.session)
        #expect(events.map(\.kind) == [.sessionStart, .recorderNotice, .toolCall, .toolResult])
        #expect(events[0].seq == 0)
        #expect(events[3].cause == 2)
    }

    @Test func aClaudeSessionGoingOnAfterItsEndGetsANewSession() throws {
        let f = Fixture()
        let first = try f.run(Self.input("SessionStart", ["source": "startup"]))
        try f.run(Self.input("SessionEnd", ["reason": "clear"]))
        let resumed = try f.run(Self.input("SessionStart", ["source": "resume"]))
        #expect(resumed.isNewSession)
        #expect(resumed.session != first.session)
        let events = try f.events(resumed.session)
        #expect(events.map(\.kind) == [.sessionStart])
        #expect(events[0].data["labels"]?["continues"] == .string(first.session.string))
        #expect(events[0].data["labels"]?["source"] == "resume")
    }

    @Test func aShippedAndRemovedSessionIsNotReused() throws {
        let f = Fixture()
        let first = try f.run(Self.input("SessionStart"))
        try FileManager.default.removeItem(atPath: try Spool(path: f.spoolPath).sessionDirectory(first.session))
        let next = try f.run(Self.input("UserPromptSubmit", ["prompt": "more"]))
        #expect(next.session != first.session)
        #expect(try f.events(next.session).map(\.kind) == [.sessionStart, .message])
    }

    @Test func everySampleInvocationLandsInOneSession() throws {
        guard ClaudeCodeSamples.available else { return }  // the sample suite reports the skip
        let f = Fixture()
        var sessions: Set<SessionID> = []
        for bytes in try ClaudeCodeSamples.postToolUsePayloads() {
            sessions.insert(try f.run(bytes).session)
        }
        #expect(sessions.count == 1)
        let events = try f.events(try #require(sessions.first))
        #expect(events.count == 30)
        #expect(ChainVerifier.verify(events).isIntact)
        for result in events where result.kind == .toolResult {
            let call = events[Int(try #require(result.cause))]
            #expect(call.kind == .toolCall)
            #expect(call.data["name"] == result.data["name"])
        }
    }

    @Test func largeOutputsGoToSpoolBlobs() throws {
        let f = Fixture()
        let big = String(repeating: "0123456789", count: 100)
        let outcome = try f.run(Self.input("PostToolUse", ["tool_name": "Read", "tool_use_id": "t", "tool_response": .string(big)]), inlineBytes: 256)
        let result = try #require(try f.events(outcome.session).last)
        let digest = try #require(result.blobs["output"])
        #expect(result.data["output"] == nil)
        let stored = FileManager.default.contents(atPath: f.spoolPath + "/blobs/sha256/" + digest.hex)
        #expect(stored.map(Array.init) == JSONValue.string(big).canonicalBytes())
    }

    @Test func hostileInputsLeaveNoSession() throws {
        let f = Fixture()
        let inputs: [[UInt8]] = [
            Array("not json".utf8), Array("[1,2,3]".utf8), [0xFF, 0xFE, 0x7B],
            Array(#"{"hook_event_name":"Stop"}"#.utf8), Array(#"{"session_id":"","hook_event_name":"Stop"}"#.utf8),
            [UInt8](repeating: 0x20, count: ClaudeCodeHookPayload.maxBytes + 1),
        ]
        for input in inputs {
            #expect(throws: ClaudeCodeHookError.self) { try f.run(input) }
        }
        #expect(try f.sessions().isEmpty)
    }

    @Test func refusedPayloadOfAKnownSessionIsANotice() throws {
        let f = Fixture()
        let start = try f.run(Self.input("SessionStart"))
        let outcome = try f.run(Self.input("PreToolUse", ["tool_input": ["command": "ls"]]))
        #expect(outcome.session == start.session)
        #expect(outcome.refused?.field == "tool_name")
        let events = try f.events(start.session)
        #expect(events.map(\.kind) == [.sessionStart, .recorderNotice])
        #expect(events[1].data["code"] == "hook_payload_invalid")
    }

    @Test func unreadableHookStateStartsOverWithANotice() throws {
        let f = Fixture()
        let first = try f.run(Self.input("SessionStart"))
        f.dir.write("spool/hooks/claude-code/" + Self.claudeID, "garbage")
        let next = try f.run(Self.input("UserPromptSubmit", ["prompt": "hi"]))
        #expect(next.session != first.session)
        let kinds = try f.events(next.session).map(\.kind)
        #expect(kinds == [.sessionStart, .recorderNotice, .recorderNotice, .message])
    }

    @Test func concurrentInvocationsGetDistinctSeqs() throws {
        // Hooks of one Claude session can run at once (parallel tool calls): each invocation is a thread here.
        let f = Fixture()
        try f.run(Self.input("SessionStart"))
        let threads = 4, calls = 10
        let done = DispatchSemaphore(value: 0)
        let failures = ClaudeCodeCounter()
        let spoolPath = f.spoolPath
        for t in 0..<threads {
            Thread.detachNewThread {
                for c in 0..<calls {
                    let input = Self.input("PreToolUse", ["tool_name": "Bash", "tool_input": ["command": .string("echo \(t) \(c)")],
                                                          "tool_use_id": .string("toolu_\(t)_\(c)")])
                    if (try? ClaudeCodeHook.run(input: input, spoolPath: spoolPath)) == nil { failures.add() }
                }
                done.signal()
            }
        }
        for _ in 0..<threads { done.wait() }
        #expect(failures.value == 0)
        let session = try #require(try f.sessions().first)
        let events = try f.events(session)
        #expect(events.count == 1 + threads * calls)
        #expect(events.map(\.seq) == (0..<UInt64(events.count)).map { $0 })
        #expect(events.filter { $0.kind == .sessionStart }.count == 1)
        #expect(ChainVerifier.verify(events).isIntact)
        let state = try #require(try ClaudeCodeSessionMap(spoolPath: spoolPath).load(Self.claudeID))
        #expect(state.calls.count == threads * calls)
        #expect(Set(state.calls.values).count == threads * calls)
    }

    @Test func inputIsReadUpToTheLimit() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let payload = Self.input("Stop")
        payload.withUnsafeBytes { _ = write(fds[1], $0.baseAddress, $0.count) }
        close(fds[1])
        let read = try ClaudeCodeHook.readInput(from: fds[0])
        close(fds[0])
        #expect(read == payload)

        let dir = ClaudeCodeTempDirectory()
        let path = dir.path + "/huge"
        #expect(FileManager.default.createFile(atPath: path, contents: Data(count: ClaudeCodeHookPayload.maxBytes + 4096)))
        let fd = open(path, O_RDONLY)
        defer { close(fd) }
        let capped = try ClaudeCodeHook.readInput(from: fd)
        #expect(capped.count == ClaudeCodeHookPayload.maxBytes + 1)
        #expect(throws: ClaudeCodeHookError.self) { try ClaudeCodeHookPayload(parsing: capped) }
    }
}
