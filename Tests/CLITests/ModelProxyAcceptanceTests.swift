import Foundation
import ModelTape
import Recorder
import Synchronization
import Testing
import TraceModel

/// The official OpenAI and Anthropic Python SDKs talk through `parallax record --proxy` to a scripted
/// upstream; the recorded session then becomes a tape that answers the same script with no upstream.
@Suite("model proxy with the official SDKs", .serialized)
struct ModelProxyAcceptanceTests {
    static let openAIKey = "sk-proj-acceptance0000000000000000000000"
    static let anthropicKey = "sk-ant-api03-acceptance00000000000000000000"

    struct Call {
        var text: String?
        var errorStatus: Int?
        var error: String?
        var raw: [UInt8]
    }

    /// Runs a process to completion with the given environment; stdin is empty.
    static func run(_ argv: [String], environment: [String: String], in directory: String) throws -> RecordEndToEndTests.Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = argv
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        var env = ProcessInfo.processInfo.environment
        for name in ["OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "OPENAI_API_KEY", "ANTHROPIC_API_KEY"] { env[name] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // stderr is drained on its own thread so neither pipe can fill up and stall the process.
        let errData = Mutex(Data())
        let errDone = DispatchSemaphore(value: 0)
        Thread {
            let data = err.fileHandleForReading.readDataToEndOfFile()
            errData.withLock { $0 = data }
            errDone.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        errDone.wait()
        process.waitUntilExit()
        return RecordEndToEndTests.Run(code: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                                       err: String(decoding: errData.withLock { $0 }, as: UTF8.self))
    }

    static func calls(_ output: String) throws -> [Call] {
        try output.split(separator: "\n").filter { $0.hasPrefix("{\"call\"") }.map { line in
            let json = try JSONParser.parse(Array(line.utf8))
            let raw = try #require(Data(base64Encoded: json["raw"]?.stringValue ?? ""))
            return Call(text: json["text"]?.stringValue, errorStatus: json["error_status"]?.int64Value.map(Int.init),
                        error: json["error"]?.stringValue, raw: [UInt8](raw))
        }
    }

    @Test func sdkCallsAreRecordedThroughTheProxyAndReplayedFromTheTape() throws {
        let dir = TempDir()
        let check = try Self.run(["python3", "-c", "import openai, anthropic"], environment: [:], in: dir.path)
        try #require(check.code == 0, "python3 with the openai and anthropic packages is required (make setup): \(check.err)")
        let script = dir.write("agent.py", Array(ModelSDKScript.source.utf8))
        let upstream = try ScriptedModelUpstream()

        // Record: the agent runs under `parallax record --proxy`, the proxy forwards to the scripted upstream.
        let spool = dir.file("spool")
        let record = try Self.run(
            [ProcessTests.binary, "record", "--proxy", "--upstream-openai", upstream.openAIBase, "--upstream-anthropic", upstream.anthropicBase,
             "--spool", spool, "--fsync", "never", "--id-file", dir.file("id"), "--", "python3", script],
            environment: ["OPENAI_API_KEY": Self.openAIKey, "ANTHROPIC_API_KEY": Self.anthropicKey], in: dir.path)
        #expect(record.code == 0, "\(record.err)")
        let recorded = try Self.calls(record.out)
        try #require(recorded.count == 4, "agent output: \(record.out) \(record.err)")
        // The client got exactly the upstream's bytes, and the SDKs understood them.
        for (index, call) in recorded.enumerated() {
            #expect(call.raw == ScriptedModelUpstream.bodies[index], "call \(index)")
            #expect(call.text == ScriptedModelUpstream.texts[index], "call \(index)")
        }
        let received = upstream.requests
        #expect(received.map(\.path) == ["/v1/chat/completions", "/v1/chat/completions", "/v1/messages", "/v1/messages"])
        #expect(received[0].header("authorization") == "Bearer \(Self.openAIKey)")
        // Depending on its version the Anthropic SDK sends the key as x-api-key or as a bearer token.
        #expect(received[2].header("x-api-key") == Self.anthropicKey || received[2].header("authorization") == "Bearer \(Self.anthropicKey)",
                "\(received[2].headers)")

        // The session holds a request/response pair per call, with usage and chunk timing.
        let session = try #require(SessionID(String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir.file("id"))), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        let store = try Spool(path: spool)
        let events = try store.records(of: session, after: nil, limit: .max).map { try Event.decode($0.bytes) }
        let requests = events.filter { $0.kind == .modelRequest }
        let responses = events.filter { $0.kind == .modelResponse }
        #expect(requests.map { $0.data["provider"]?.stringValue } == ["openai", "openai", "anthropic", "anthropic"])
        #expect(requests.map { $0.data["stream"]?.boolValue } == [false, true, false, true])
        #expect(responses.map(\.cause) == requests.map(\.seq))
        #expect(responses.map { $0.data["usage"]?["output_tokens"]?.int64Value } == ScriptedModelUpstream.outputTokens.map(Optional.some))
        #expect(responses.map { $0.data["chunks"] != nil } == [false, true, false, true])
        for (index, response) in responses.enumerated() {
            #expect(try response.blobs["response_body"].map { try store.blobs.read($0) } == ScriptedModelUpstream.bodies[index])
        }
        #expect(events.last?.kind == .sessionEnd)
        // The recorded events pass the contract's checks.
        let ndjson = dir.write("events.ndjson", events.flatMap { $0.canonicalBytes() + [10] })
        let validate = try Self.run([ProcessTests.binary, "schema", "validate", ndjson], environment: [:], in: dir.path)
        #expect(validate.code == 0, "\(validate.out) \(validate.err)")
        // No credential is stored in clear anywhere in the spool.
        let stored = try FileManager.default.subpathsOfDirectory(atPath: spool).compactMap {
            FileManager.default.contents(atPath: spool + "/" + $0)
        }.reduce(Data(), +)
        #expect(!String(decoding: stored, as: UTF8.self).contains("acceptance0000"))

        // Replay: a tape server with no upstream reproduces every call.
        upstream.stop()
        let tape = try Tape(events: events, blob: { try? store.blobs.read($0) })
        let replay = TapeServer(tape: tape)
        let urls = try replay.start()
        defer { replay.stop() }
        let env = ["OPENAI_BASE_URL": urls.openai, "ANTHROPIC_BASE_URL": urls.anthropic, "OPENAI_API_KEY": "sk-other", "ANTHROPIC_API_KEY": "other"]
        let again = try Self.run(["python3", script], environment: env, in: dir.path)
        #expect(again.code == 0, "\(again.err)")
        let replayed = try Self.calls(again.out)
        #expect(replayed.map(\.raw) == recorded.map(\.raw))
        #expect(replayed.map(\.text) == recorded.map(\.text))
        #expect(replay.divergences.isEmpty, "\(replay.divergences)")
        #expect(replay.served.map(\.entry) == [0, 1, 2, 3])

        // A changed prompt diverges at its own request, answered with an error; the rest still replays.
        let changedServer = TapeServer(tape: tape)
        let changedURLs = try changedServer.start()
        defer { changedServer.stop() }
        let changedEnv = env.merging(["OPENAI_BASE_URL": changedURLs.openai, "ANTHROPIC_BASE_URL": changedURLs.anthropic]) { $1 }
        let changed = try Self.calls(try Self.run(["python3", script, "--change", "2"], environment: changedEnv, in: dir.path).out)
        try #require(changed.count == 4)
        #expect(changed[2].errorStatus == 422)
        #expect(changed[2].error?.contains("parallax_divergence") == true)
        #expect(changed[2].error?.contains(tape.entries[2].digest.description) == true)
        #expect([0, 1, 3].map { changed[$0].text } == [0, 1, 3].map { recorded[$0].text })
        #expect(changedServer.divergences.map(\.requestIndex) == [2])
        #expect(changedServer.divergences.first?.expected == tape.entries[2].digest)
        #expect(changedServer.unserved == [2])
    }

    @Test func proxyOptionsAreChecked() throws {
        let dir = TempDir()
        let alone = try Self.run([ProcessTests.binary, "record", "--spool", dir.file("spool"), "--upstream-openai", "http://127.0.0.1:1/v1", "--", "true"],
                                 environment: [:], in: dir.path)
        #expect(alone.code == 2)
        #expect(alone.err.contains("--upstream-openai needs --proxy"), "\(alone.err)")
        let bad = try Self.run([ProcessTests.binary, "record", "--proxy", "--spool", dir.file("spool"), "--", "true"],
                               environment: ["PARALLAX_UPSTREAM_ANTHROPIC": "ftp://example.com"], in: dir.path)
        #expect(bad.code == 2)
        #expect(bad.err.contains("ftp://example.com"), "\(bad.err)")
        let sessions = (try? FileManager.default.contentsOfDirectory(atPath: dir.file("spool") + "/sessions")) ?? []
        #expect(sessions.isEmpty, "no session is started when the options are wrong")
    }
}
