import Collector
import Dispatch
import Foundation
import Synchronization
import Testing
import TraceModel
import TraceStore
import TraceWire
#if canImport(Glibc)
import Glibc
#endif

/// `kill -9` of a real `parallax collector serve` process while four clients stream; a restart on
/// the same store; clients that resend what was not acknowledged end with exactly-once storage.
@Suite("collector crash safety")
struct CollectorCrashTests {
    static let clients = 4
    static let eventsPerBatch = 50
    static let eventsPerClient = 1000

    @Test func killedMidStreamKeepsEveryAcknowledgedBatchAndRetriesStoreExactlyOnce() throws {
        let binary = try #require(CollectorProcess.binary, "build the parallax product first (or set PARALLAX_BIN)")
        let directory = NSTemporaryDirectory() + "parallax-crash-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let database = directory + "/c.sqlite"

        // Tokens come from the CLI before the collector runs: one ingest token per client, one reader.
        let tokens = try (0..<Self.clients).map { try CollectorProcess.createToken(binary, database, role: "ingest", name: "client-\($0)") }
        let reader = try CollectorProcess.createToken(binary, database, role: "read", name: "checker")
        let plans = tokens.enumerated().map { StreamPlan(token: $1, seed: 7_000 + UInt64($0)) }
        let run = CrashRun(plans: plans)

        // Phase 1: stream, and kill -9 once some batches are acknowledged while others are in flight.
        let first = try CollectorProcess(binary: binary, database: database, log: directory + "/first.log")
        let firstPort = first.port
        let streaming = run.startClients { client in run.streamUntilFailure(client, port: firstPort) }
        var inFlightAtKill = 0
        let armed = waitUntil(timeout: 60) {
            run.state.withLock { state in
                let acked = state.phase1.map { $0.filter(\.isAcknowledged).count }
                guard acked.reduce(0, +) >= 16, acked.allSatisfy({ $0 >= 2 }), state.awaitingReply.count >= 2 else { return false }
                inFlightAtKill = state.awaitingReply.count
                return true
            }
        }
        first.kill9()
        try #require(armed, "the clients did not get going: \(run.state.withLock { $0.phase1 })")
        #expect(first.killedBySIGKILL, "the collector was to die of SIGKILL; see \(directory)/first.log")
        try #require(streaming.wait(timeout: .now() + 60) == .success, "a client hung after the kill")
        #expect(inFlightAtKill >= 2)

        let phase1 = run.state.withLock { $0.phase1 }
        #expect(phase1.flatMap { $0 }.allSatisfy { !$0.isRefusal }, "no refusals were expected before the kill: \(phase1)")
        #expect(phase1.flatMap { $0 }.contains { !$0.isAcknowledged }, "the kill came after every batch was acknowledged")

        // Restart on the same store: everything acknowledged before the kill is there, byte for byte.
        let second = try CollectorProcess(binary: binary, database: database, log: directory + "/second.log")
        let secondPort = second.port
        for (client, plan) in plans.enumerated() {
            var stored: [SessionID: [UInt64: [UInt8]]] = [:]
            for (index, batch) in plan.batches.enumerated() where phase1[client][index].isAcknowledged {
                var lost: [String] = []
                for event in batch {
                    if stored[event.session] == nil { stored[event.session] = try Self.storedBySeq(event.session, port: second.port, token: reader) }
                    if stored[event.session]?[event.seq] != event.canonicalBytes() { lost.append("\(event.session)/\(event.seq)") }
                }
                #expect(lost.isEmpty, "client \(client) batch \(index) got a 200 but these events are missing or altered: \(lost)")
            }
        }

        // Phase 2: every client resends what got no 200, plus some batches that did.
        let resending = run.startClients { client in run.resend(client, port: secondPort) }
        try #require(resending.wait(timeout: .now() + 120) == .success, "a client hung while resending")
        let phase2 = run.state.withLock { $0.phase2 }
        var accepted = 0
        for (client, plan) in plans.enumerated() {
            for (index, batch) in plan.batches.enumerated() {
                switch (phase1[client][index], phase2[client][index]) {
                case (.acknowledged(let count, _), nil):
                    #expect(count == batch.count, "client \(client) batch \(index): \(count) of \(batch.count) accepted")
                    accepted += count
                case (.acknowledged(let count, _), .acknowledged(0, let duplicates)?):
                    accepted += count
                    #expect(duplicates == batch.count, "client \(client) batch \(index) resent: \(duplicates) duplicates")
                case (.acknowledged, let again):
                    Issue.record("client \(client) batch \(index) was stored again after its 200: \(String(describing: again))")
                case (_, .acknowledged(let count, let duplicates)?):
                    // A batch in flight at the kill was committed whole or not at all.
                    #expect((count, duplicates) == (batch.count, 0) || (count, duplicates) == (0, batch.count),
                            "client \(client) batch \(index) was partly stored: \(count) accepted, \(duplicates) duplicates")
                    accepted += count + duplicates
                case (let before, let after):
                    Issue.record("client \(client) batch \(index) never got a 200: \(before), then \(String(describing: after))")
                }
            }
            #expect(phase2[client].values.contains { $0 == .acknowledged(accepted: 0, duplicates: Self.eventsPerBatch) },
                    "client \(client) resent no acknowledged batch")
        }
        let total = plans.reduce(0) { $0 + $1.eventCount }
        #expect(accepted == total)

        // Every session is complete, stored once, intact.
        for plan in plans {
            for session in plan.sessions {
                let id = session[0].session
                let events = try Self.get("/v1/sessions/\(id)/events", port: second.port, token: reader)
                #expect(events.body == canonicalNDJSON(session), "session \(id) is not stored exactly once as sent")
                let summary = try #require(try Self.get("/v1/sessions/\(id)", port: second.port, token: reader).json)
                let last = Int64(session.count - 1)
                #expect(summary["event_count"]?.int64Value == Int64(session.count), "\(summary)")
                #expect(summary["last_seq"]?.int64Value == last && summary["acked_seq"]?.int64Value == last, "\(summary)")
                #expect(summary["conflicts"]?.int64Value == 0 && summary["has_gaps"] == .bool(false), "\(summary)")
                let verify = try #require(try Self.get("/v1/sessions/\(id)/verify", port: second.port, token: reader).json)
                #expect(verify["intact"] == .bool(true), "\(verify)")
            }
        }

        // An orderly stop, then the file itself: the same events, once each.
        #expect(second.terminate() == 0, "SIGTERM should drain and exit 0; see \(directory)/second.log")
        let store = try SQLiteStore(path: database)
        #expect(try store.statistics().events == total)
        for session in plans.flatMap(\.sessions) {
            let stored = try store.events(EventQuery(session: session[0].session)).map(\.bytes)
            #expect(stored == session.map { $0.canonicalBytes() })
        }
    }

    /// The stored events of `session` by seq, read through the query API.
    static func storedBySeq(_ session: SessionID, port: UInt16, token: String) throws -> [UInt64: [UInt8]] {
        let response = try get("/v1/sessions/\(session)/events", port: port, token: token)
        guard response.status == 200 else { return [:] }
        var bySeq: [UInt64: [UInt8]] = [:]
        for line in response.body.split(separator: 0x0A) {
            let seq = try #require(try JSONParser.parse(Array(line))["seq"]?.int64Value)
            bySeq[UInt64(seq)] = Array(line)
        }
        return bySeq
    }

    static func get(_ target: String, port: UInt16, token: String) throws -> RawResponse {
        let connection = try RawClient(port: port, timeout: 30)
        let head = requestHead("GET", target, ["Authorization: Bearer \(token)", "Connection: close"])
        return try #require(connection.exchange(head), "no reply to GET \(target)")
    }
}

/// What one POST of a batch came to.
enum Delivery: Sendable, Equatable, CustomStringConvertible {
    case unsent
    case acknowledged(accepted: Int, duplicates: Int)
    case refused(status: Int)
    /// The connection failed before a reply: the batch may or may not be stored.
    case unanswered

    var isAcknowledged: Bool { if case .acknowledged = self { true } else { false } }
    var isRefusal: Bool { if case .refused = self { true } else { false } }

    var description: String {
        switch self {
        case .unsent: "unsent"
        case .acknowledged(let accepted, let duplicates): "200(\(accepted)+\(duplicates))"
        case .refused(let status): "\(status)"
        case .unanswered: "unanswered"
        }
    }
}

/// One client's sessions and the zstd batches it sends them in.
struct StreamPlan: Sendable {
    let token: String
    let sessions: [[Event]]
    let batches: [[Event]]
    let bodies: [[UInt8]]
    var eventCount: Int { batches.reduce(0) { $0 + $1.count } }

    init(token: String, seed: UInt64) {
        self.token = token
        var trace = SyntheticTrace(seed: seed)
        var sessions: [[Event]] = []
        while sessions.reduce(0, { $0 + $1.count }) < CollectorCrashTests.eventsPerClient { sessions.append(trace.session()) }
        let events = sessions.flatMap { $0 }
        let size = CollectorCrashTests.eventsPerBatch
        self.sessions = sessions
        batches = stride(from: 0, to: events.count, by: size).map { Array(events[$0..<min($0 + size, events.count)]) }
        bodies = batches.map { Zstd.compress(NDJSONBatch.encode($0)) }
    }

    func request(_ index: Int) -> [UInt8] {
        let head = requestHead("POST", "/v1/events", ["Authorization: Bearer \(token)", "Content-Type: application/x-ndjson",
                                                      "Content-Encoding: zstd", "Content-Length: \(bodies[index].count)"])
        return Array(head.utf8) + bodies[index]
    }
}

/// The clients' shared record: what each batch came to before and after the restart.
final class CrashRun: Sendable {
    struct State {
        var phase1: [[Delivery]]
        var phase2: [[Int: Delivery]]
        /// Clients whose request is fully sent and whose reply has not arrived.
        var awaitingReply: Set<Int> = []
    }

    let plans: [StreamPlan]
    let state: Mutex<State>

    init(plans: [StreamPlan]) {
        self.plans = plans
        state = Mutex(State(phase1: plans.map { Array(repeating: .unsent, count: $0.batches.count) },
                            phase2: plans.map { _ in [:] }))
    }

    /// Runs `body(client)` on one thread per client; the group is done when all return.
    func startClients(_ body: @escaping @Sendable (Int) -> Void) -> DispatchGroup {
        let group = DispatchGroup()
        for client in plans.indices {
            group.enter()
            Thread.detachNewThread {
                body(client)
                group.leave()
            }
        }
        return group
    }

    /// Sends the client's batches in order on one keep-alive connection until all are sent or the
    /// connection fails (the collector was killed).
    func streamUntilFailure(_ client: Int, port: UInt16) {
        guard let connection = try? RawClient(port: port, timeout: 30) else {
            state.withLock { $0.phase1[client][0] = .unanswered }
            return
        }
        for index in plans[client].batches.indices {
            guard connection.send(plans[client].request(index)) else {
                state.withLock { $0.phase1[client][index] = .unanswered }
                return
            }
            state.withLock { _ = $0.awaitingReply.insert(client) }
            let reply = connection.readResponse()
            state.withLock { state in
                state.awaitingReply.remove(client)
                state.phase1[client][index] = Self.delivery(reply)
            }
            if reply == nil { return }
        }
    }

    /// After the restart: resends the last acknowledged batch, every batch without a 200, and the
    /// first batch.
    func resend(_ client: Int, port: UInt16) {
        let before = state.withLock { $0.phase1[client] }
        let missing = before.indices.filter { !before[$0].isAcknowledged }
        let lastAcked = before.indices.last { before[$0].isAcknowledged }
        var order = (lastAcked.map { [$0] } ?? []) + missing
        if !order.contains(0) { order.append(0) }
        guard let connection = try? RawClient(port: port, timeout: 30) else { return }
        for index in order {
            let reply = connection.send(plans[client].request(index)) ? connection.readResponse() : nil
            state.withLock { $0.phase2[client][index] = Self.delivery(reply) }
            if reply == nil { return }
        }
    }

    static func delivery(_ reply: RawResponse?) -> Delivery {
        guard let reply else { return .unanswered }
        guard reply.status == 200, let json = reply.json, let accepted = json["accepted"]?.int64Value,
              let duplicates = json["duplicates"]?.int64Value else { return .refused(status: reply.status) }
        return .acknowledged(accepted: Int(accepted), duplicates: Int(duplicates))
    }
}

/// `parallax collector serve` as a child process on 127.0.0.1, port 0; stderr goes to a log file.
final class CollectorProcess {
    let process = Process()
    let port: UInt16
    private let output = Pipe()

    /// `$PARALLAX_BIN`, or `parallax` beside the test bundle in the build directory.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["PARALLAX_BIN"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return [dir.appendingPathComponent("parallax"), dir.deletingLastPathComponent().appendingPathComponent("parallax")]
            .map(\.path).first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Starts the collector and waits (at most 30 s) for the URL it prints once listening.
    init(binary: String, database: String, log: String) throws {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["collector", "serve", "--db", database, "--listen", "127.0.0.1:0"]
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try process.run()
        let line = Self.firstLine(output.fileHandleForReading.fileDescriptor, within: 30)
        guard let line, let colon = line.lastIndex(of: ":"), let port = UInt16(line[line.index(after: colon)...]) else {
            process.terminate()
            let errors = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw CollectorError("the collector printed no URL (got \(line ?? "nothing")): \(errors)")
        }
        self.port = port
    }

    /// The first line written to `fd`, or nil at end of stream or after `seconds`.
    static func firstLine(_ fd: Int32, within seconds: Double) -> String? {
        let deadline = Date().addingTimeInterval(seconds)
        var bytes: [UInt8] = []
        while !bytes.contains(0x0A) {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let remaining = Int32(max(0, deadline.timeIntervalSinceNow) * 1000)
            guard poll(&descriptor, 1, remaining) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 256)
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { return nil }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes[..<bytes.firstIndex(of: 0x0A)!], as: UTF8.self)
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    var killedBySIGKILL: Bool { process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGKILL }

    /// SIGTERM, then the exit status (nil if it was still running 60 s later and had to be killed).
    func terminate() -> Int32? {
        process.terminate()
        let deadline = Date().addingTimeInterval(60)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill9()
            return nil
        }
        return process.terminationReason == .exit ? process.terminationStatus : nil
    }

    /// `parallax collector token create --json` for project "crash"; the token.
    static func createToken(_ binary: String, _ database: String, role: String, name: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["collector", "token", "create", "--db", database, "--project", "crash", "--role", role, "--name", name, "--json"]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return try #require(try JSONParser.parse(Array(data))["token"]?.stringValue, "token create printed \(String(decoding: data, as: UTF8.self))")
    }
}
