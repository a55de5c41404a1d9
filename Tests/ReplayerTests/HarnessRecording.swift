import Foundation
import ModelTape
import Recorder
import Replayer
import Synchronization
import Testing
import TraceModel

/// A session recorded here, for real: a small Python agent (stdlib `urllib`) asks a scripted
/// OpenAI-style upstream for a shell command through the recording proxy, runs it through the
/// recording shell, streams a second answer, writes it down with another command, and asks an
/// Anthropic-style upstream (through `ANTHROPIC_BASE_URL`) whether it is done.
final class HarnessRecording {
    static let agent = """
    import json, os, subprocess, urllib.request
    base = os.environ["OPENAI_BASE_URL"]

    def ask(content, stream=False):
        body = json.dumps({"model": "gpt-test", "stream": stream, "messages": [{"role": "user", "content": content}]}).encode()
        request = urllib.request.Request(base + "/chat/completions", data=body,
                                         headers={"Content-Type": "application/json", "Authorization": "Bearer sk-test-0000000000000000"})
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read().decode()
        if not stream:
            return json.loads(raw)["choices"][0]["message"]["content"]
        text = ""
        for line in raw.splitlines():
            if line.startswith("data: ") and line != "data: [DONE]":
                text += json.loads(line[6:])["choices"][0]["delta"].get("content", "")
        return text

    command = ask(open("task.txt").read().strip())
    run = subprocess.run([os.environ["SHELL"], "-c", command], capture_output=True, text=True)
    answer = ask(open("followup.txt").read().strip() + " " + run.stdout, stream=True)
    subprocess.run([os.environ["SHELL"], "-c", "echo " + answer + " > answer.txt"], check=True)
    check = urllib.request.Request(os.environ["ANTHROPIC_BASE_URL"] + "/v1/messages",
                                   data=json.dumps({"model": "claude-test", "max_tokens": 8, "messages": [{"role": "user", "content": "Done?"}]}).encode(),
                                   headers={"content-type": "application/json", "x-api-key": "sk-ant-test-0000000000", "anthropic-version": "2023-06-01"})
    with urllib.request.urlopen(check, timeout=30) as response:
        verdict = json.loads(response.read())["content"][0]["text"]
    print("agent done:", answer, verdict)
    """
    /// The same agent on the official SDKs (`openai`, `anthropic`), streaming and not.
    static let sdkAgent = """
    import os, subprocess
    import anthropic, openai
    chat = openai.OpenAI(api_key="sk-test-0000000000000000", max_retries=0)
    reply = chat.chat.completions.create(model="gpt-test", messages=[{"role": "user", "content": open("task.txt").read().strip()}])
    run = subprocess.run([os.environ["SHELL"], "-c", reply.choices[0].message.content], capture_output=True, text=True)
    stream = chat.chat.completions.create(model="gpt-test", stream=True,
                                          messages=[{"role": "user", "content": open("followup.txt").read().strip() + " " + run.stdout}])
    answer = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    claude = anthropic.Anthropic(api_key="sk-ant-test-0000000000", max_retries=0)
    done = claude.messages.create(model="claude-test", max_tokens=8, messages=[{"role": "user", "content": "Done?"}])
    with claude.messages.stream(model="claude-test", max_tokens=8, messages=[{"role": "user", "content": "Sure?"}]) as events:
        sure = "".join(events.text_stream)
    subprocess.run([os.environ["SHELL"], "-c", "echo " + answer + " > answer.txt"], check=True)
    print("agent done:", answer, done.content[0].text, sure)
    """
    static let command = "printf 'alpha\\nbeta\\n' | sort -r"
    static let streamPieces = ["all", " good"]

    let root: TemporaryDirectory
    let workspace: String
    let spool: Spool
    let events: [Event]
    /// Requests the upstream received while recording.
    let upstreamRequests: Int
    let agentOutput: String

    /// Records the agent; throws when any part of the recording cannot be set up. `throughShell`
    /// records it as `parallax record --shell -- bash -c …` does: the agent command is itself the
    /// recording shell's first command.
    init(throughShell: Bool = false, agent: String = HarnessRecording.agent) throws {
        root = TemporaryDirectory("harness")
        workspace = root.path + "/ws"
        try #require(mkdir(workspace, 0o755) == 0)
        Disk.write(workspace + "/agent.py", agent)
        Disk.write(workspace + "/task.txt", "List the words in reverse order.\n")
        Disk.write(workspace + "/followup.txt", "Summarize this output:\n")
        spool = try Spool(path: root.path + "/spool", options: SpoolOptions(fsync: .never))

        let model = ScriptedModel()
        let upstream = StreamingHTTPServer(handler: model)
        try upstream.start()
        defer { upstream.stop() }

        let environment = ["PATH": "/usr/bin:/bin", "HOME": workspace, "LANG": "C.UTF-8", "SHELL": "/bin/bash"]
        let tracker = try SnapshotWorkspaceTracker(root: workspace, blobs: spool.blobs, cachePath: nil)
        let fingerprint = EnvironmentFingerprint.capture(cwd: workspace, environment: environment)
        let environmentBlob = try spool.blobs.store(fingerprint.bytes)
        let argv = throughShell ? ["bash", "-c", "/usr/bin/python3 agent.py"] : ["/usr/bin/python3", "agent.py"]
        let start = EventDraft(kind: .sessionStart, actor: .recorder, data: [
            "agent": .object(["name": .string("test-agent")]),
            "command": .array(argv.map(JSONValue.string)),
            "cwd": .string(workspace),
            "env_fingerprint": .string(fingerprint.fingerprint.description),
            "snapshot": .string(tracker.startDigest.description),
        ], blobs: ["environment": environmentBlob, "snapshot": tracker.startDigest])
        let recorder = try SessionRecorder.create(spool: spool, start: start)
        defer { recorder.close() }

        let proxy = try RecordingProxy(configuration: ModelProxyConfiguration(openAIUpstream: "http://127.0.0.1:\(upstream.port)/v1",
                                                                              anthropicUpstream: "http://127.0.0.1:\(upstream.port)"),
                                       sink: RecorderModelEventSink(recorder: recorder, blobs: spool.blobs))
        let urls = try proxy.start()
        var childEnvironment = environment
        childEnvironment["PARALLAX_SESSION"] = recorder.session.string
        childEnvironment["PARALLAX_SOCKET"] = root.path + "/recorder.sock"
        childEnvironment["PARALLAX_SPOOL"] = spool.path
        childEnvironment["PARALLAX_REAL_SHELL"] = throughShell ? "/usr/bin/bash" : "/bin/bash"
        childEnvironment["SHELL"] = root.path + "/parallax-shell"
        for (name, value) in urls.environment { childEnvironment[name] = value }
        try #require(symlink(Self.binaries + "/parallax-agent", root.path + "/parallax-shell") == 0)
        let host = SessionHost(recorder: recorder, workspace: tracker, baseEnvironment: childEnvironment)
        let server = try RecorderSocketServer(path: root.path + "/recorder.sock", handler: host.handle)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: throughShell ? root.path + "/parallax-shell" : argv[0])
        process.arguments = Array(argv.dropFirst())
        process.environment = childEnvironment
        process.currentDirectoryURL = URL(fileURLWithPath: workspace)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        server.stop()
        proxy.stop()
        agentOutput = String(decoding: printed, as: UTF8.self)
        try #require(process.terminationStatus == 0, "the agent failed while recording: \(agentOutput)")

        if !throughShell {
            try recorder.record(EventDraft(kind: .processExec, actor: .agent, data: [
                "argv": .array(argv.map(JSONValue.string)), "cwd": .string(workspace), "exit_code": .number(JSONNumber(Int64(0))),
                "agent_process": .bool(true),
            ]))
        }
        try host.recordChanges(cause: nil)
        try recorder.end(EventDraft(kind: .sessionEnd, actor: .recorder, data: ["status": .string("completed"), "exit_code": .number(JSONNumber(Int64(0)))]))
        events = try spool.records(of: recorder.session, after: nil, limit: .max).map { try Event.decode($0.bytes) }
        upstreamRequests = model.requests.load(ordering: .relaxed)
    }

    deinit { root.remove() }

    /// The directory holding parallax-agent: the build directory the tests run from.
    static var binaries: String {
        if let path = ProcessInfo.processInfo.environment["PARALLAX_BIN"] { return URL(fileURLWithPath: path).deletingLastPathComponent().path }
        return URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent().path
    }

    func session() throws -> RecordedSession { try RecordedSession(events: events) }

    /// The recording with one workspace file's start content replaced (a changed prompt): the
    /// snapshot manifest is rewritten and session.start points at it.
    func session(replacing path: String, with text: String) throws -> RecordedSession {
        let start = events[0]
        let manifestDigest = try #require(start.blobs["snapshot"])
        let manifest = try SnapshotManifest.parse(try spool.blobs.read(manifestDigest))
        let content = try spool.blobs.store(Array(text.utf8))
        var entries = manifest.entries
        let index = try #require(entries.firstIndex { $0.path == path })
        entries[index].digest = content
        entries[index].size = UInt64(text.utf8.count)
        let changed = try spool.blobs.store(SnapshotManifest(entries: entries).canonicalBytes())
        var edited = events
        edited[0].blobs["snapshot"] = changed
        edited[0].data["snapshot"] = .string(changed.description)
        return try RecordedSession(events: edited)
    }
}

/// An OpenAI-style upstream: the first question gets a shell command, a streamed one gets the
/// pieces of a short answer.
final class ScriptedModel: ProxyHandler {
    let requests = Atomic<Int>(0)

    func handle(_ request: ProxyRequest) -> ProxyReply {
        requests.add(1, ordering: .relaxed)
        let body = (try? JSONParser.parse(request.body)) ?? .null
        if request.path.hasSuffix("/messages"), body["stream"]?.boolValue == true {
            let stream = ChunkStream()
            for event in Self.anthropicEvents {
                stream.push(Array("event: \(event.0)\ndata: \(event.1)\n\n".utf8))
            }
            stream.finish()
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        if request.path.hasSuffix("/messages") {
            let answer = #"{"id":"msg_1","type":"message","role":"assistant","model":"claude-test","content":[{"type":"text","text":"yes"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":1}}"#
            return ProxyReply(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(Array(answer.utf8)))
        }
        if body["stream"]?.boolValue == true {
            let stream = ChunkStream()
            for piece in HarnessRecording.streamPieces {
                let chunk = JSONValue.object([
                    "id": .string("chatcmpl-2"), "object": .string("chat.completion.chunk"), "created": .number(JSONNumber(Int64(1))),
                    "model": .string("gpt-test"),
                    "choices": .array([.object(["index": .number(JSONNumber(Int64(0))), "finish_reason": .null,
                                                "delta": .object(["content": .string(piece)])])]),
                ])
                stream.push(Array("data: \(chunk.canonicalString)\n\n".utf8))
            }
            stream.push(Array("data: [DONE]\n\n".utf8))
            stream.finish()
            return ProxyReply(status: 200, headers: [("Content-Type", "text/event-stream")], body: .stream(stream))
        }
        let answer = JSONValue.object([
            "id": .string("chatcmpl-1"), "object": .string("chat.completion"), "model": .string("gpt-test"), "created": .number(JSONNumber(Int64(1))),
            "choices": .array([.object(["index": .number(JSONNumber(Int64(0))), "finish_reason": .string("stop"),
                                        "message": .object(["role": .string("assistant"), "content": .string(HarnessRecording.command)])])]),
            "usage": .object(["prompt_tokens": .number(JSONNumber(Int64(9))), "completion_tokens": .number(JSONNumber(Int64(5)))]),
        ])
        return ProxyReply(status: 200, headers: [("Content-Type", "application/json")], body: .bytes(answer.canonicalBytes()))
    }

    /// A streamed Anthropic message, event by event, as the SDK's stream reader expects it.
    static let anthropicEvents: [(String, String)] = [
        ("message_start", #"{"type":"message_start","message":{"id":"msg_2","type":"message","role":"assistant","model":"claude-test","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":5,"output_tokens":0}}}"#),
        ("content_block_start", #"{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"very"}}"#),
        ("content_block_delta", #"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" sure"}}"#),
        ("content_block_stop", #"{"type":"content_block_stop","index":0}"#),
        ("message_delta", #"{"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":2}}"#),
        ("message_stop", #"{"type":"message_stop"}"#),
    ]
}
