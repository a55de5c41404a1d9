#if canImport(Glibc)
import Glibc
#endif
import Recorder
import Testing
import TraceModel

/// Real Claude Code hook payloads from `../shared/testdata/claude-code/` (next to the checkout).
enum ClaudeCodeSamples {
    static let directory: String = {
        var parts = "\(#filePath)".split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        parts.removeLast(3)  // Tests/RecorderTests/<file>
        return parts.joined(separator: "/") + "/../shared/testdata/claude-code"
    }()

    static var available: Bool { access(directory + "/hooks-post_tool_use.json", R_OK) == 0 }

    static func read(_ name: String) throws -> [UInt8] {
        guard let file = fopen(directory + "/" + name, "rb") else { throw SampleError(path: directory + "/" + name) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[0..<count]
        }
        return bytes
    }

    struct SampleError: Error { var path: String }

    /// Each element of hooks-post_tool_use.json, as the bytes Claude Code would write to stdin.
    static func postToolUsePayloads() throws -> [[UInt8]] {
        guard let array = try JSONParser.parse(try read("hooks-post_tool_use.json")).arrayValue else {
            throw SampleError(path: directory + "/hooks-post_tool_use.json")
        }
        return array.map { $0.canonicalBytes() }
    }
}

@Suite(.enabled(if: ClaudeCodeSamples.available, "../shared/testdata/claude-code is not next to the checkout; sample tests skipped"))
struct ClaudeCodeHookSamplesTests {
    @Test func everyPostToolUseSampleMapsToCallAndResult() throws {
        let payloads = try ClaudeCodeSamples.postToolUsePayloads()
        #expect(payloads.count == 14)
        let first = try ClaudeCodeHookPayload(parsing: payloads[0])
        var mapper = ClaudeCodeHookMapper(state: ClaudeCodeHookState(claudeSessionID: first.sessionID, session: .generate()))
        let log = ClaudeCodeDraftLog()
        let blobs = MemoryBlobSink()
        for (index, bytes) in payloads.enumerated() {
            let payload = try ClaudeCodeHookPayload(parsing: bytes)
            #expect(payload.hookEventName == "PostToolUse")
            guard case .postToolUse(let use, let response) = payload.hook else {
                Issue.record("sample \(index) is not PostToolUse")
                continue
            }
            let recorded = try mapper.map(payload, blobs: blobs, record: log.record)
            let expectedKinds: [EventKind] = index == 0 ? [.sessionStart, .recorderNotice, .toolCall, .toolResult] : [.toolCall, .toolResult]
            #expect(recorded.map(\.draft.kind) == expectedKinds, "sample \(index)")
            let call = recorded[recorded.count - 2]
            let result = recorded[recorded.count - 1]
            // These payloads predate tool_use_id: no call_id, and the call is known only from its result.
            #expect(use.id == nil)
            #expect(call.draft.data["name"] == .string(use.name))
            #expect(call.draft.data["call_id"] == nil)
            #expect(call.draft.data["input"] == use.input)
            #expect(result.draft.data["name"] == .string(use.name))
            #expect(result.draft.data["output"] == response)
            #expect(result.draft.data["is_error"] == false)
            #expect(result.draft.cause == call.seq)
            #expect(call.draft.actor == .agent)
            #expect(result.draft.actor == .tool)
            for item in recorded {
                guard let typed = try? EventPayload(kind: item.draft.kind, data: item.draft.data) else {
                    Issue.record("sample \(index): \(item.draft.kind) is not a valid event")
                    continue
                }
                if case .toolCall(let c) = typed { #expect(c.name == use.name) }
            }
        }
        #expect(log.drafts.count == 2 + 2 * 14)
        #expect(blobs.count == 0)
        #expect(mapper.state.pendingCallCount == 0)
        let start = log.drafts[0]
        #expect(start.data["cwd"] == "/private/var/folders/5b/dd_48lts2zsbcg8dpyl1k1_40000gn/T/vibe-kanban/vk-2b7f-please-fix")
        #expect(start.data["labels"]?["claude_session_id"] == "b23e5d8a-855f-44c5-95f0-075485a6ffcf")
        #expect(start.data["labels"]?["started_by"] == "PostToolUse")
        let tools = log.drafts.filter { $0.kind == .toolCall }.compactMap { $0.data["name"]?.stringValue }
        #expect(Set(tools) == ["TodoWrite", "Read", "Edit", "Bash"])
    }

    @Test func samplesMapTheSameAcrossInvocations() throws {
        // Each hook runs as its own process: the state goes through its file encoding between payloads.
        let payloads = try ClaudeCodeSamples.postToolUsePayloads()
        let first = try ClaudeCodeHookPayload(parsing: payloads[0])
        var encoded = ClaudeCodeHookState(claudeSessionID: first.sessionID, session: .generate()).encoded()
        let log = ClaudeCodeDraftLog()
        for bytes in payloads {
            var mapper = ClaudeCodeHookMapper(state: try ClaudeCodeHookState(decoding: encoded))
            _ = try mapper.map(try ClaudeCodeHookPayload(parsing: bytes), blobs: MemoryBlobSink(), record: log.record)
            encoded = mapper.state.encoded()
        }
        #expect(log.drafts.count == 30)
        #expect(log.drafts.filter { $0.kind == .sessionStart }.count == 1)
    }

    @Test func transcriptSessionIDIsAPlainFileName() throws {
        // The transcript names the session the same way hooks do.
        let lines = try ClaudeCodeSamples.read("session-01.jsonl").split(separator: 0x0A)
        let record = try JSONParser.parse(lines[0])
        let id = try #require(record["sessionId"]?.stringValue)
        #expect(ClaudeCodeSessionMap.fileName(for: id) == id)
    }
}
