import Foundation
import TraceModel
@testable import TraceStore

/// A fresh directory under the system temp dir, removed when the value goes away.
final class TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.path + "/parallax-store-" + UUID().uuidString
        // Failing to create a temp dir means the machine is broken; no test can run.
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }
}

/// Builds chained events for tests.
struct SessionBuilder {
    let id: SessionID
    var chain = ChainBuilder()
    var clock: Int64

    init(milliseconds: UInt64 = 1_795_000_000_000, tag: UInt8 = 1) {
        id = SessionID(milliseconds: milliseconds, randomness: [tag, 2, 3, 4, 5, 6, 7, 8, 9, tag])
        clock = Int64(milliseconds) * 1000
    }

    mutating func next(_ payload: EventPayload, actor: Actor = .agent, blobs: [String: Digest] = [:]) -> Event {
        clock += 1_000
        var event = Event(session: id, seq: 0, ts: Timestamp(microseconds: clock), monoNs: UInt64(chain.nextSeq) * 1_000_000,
                          actor: actor, payload: payload, blobs: blobs)
        _ = chain.seal(&event)
        return event
    }

    mutating func start(agent: String = "test-agent", version: String? = "1.0", task: String? = "fix-bug",
                        condition: String? = "supervised", worker: String? = "worker-1", replayOf: SessionID? = nil) -> Event {
        next(.sessionStart(SessionStart(agentName: agent, agentVersion: version, task: task, condition: condition,
                                        worker: worker, replayOf: replayOf)), actor: .recorder)
    }

    mutating func message(_ text: String) -> Event {
        next(.message(Message(role: "assistant", text: text)))
    }

    mutating func tool(_ name: String) -> Event {
        next(.toolCall(ToolCall(name: name, input: ["command": "ls -la"])))
    }

    /// A tool call whose output lives in blobs.
    mutating func output(_ blobs: [String: Digest]) -> Event {
        next(.toolCall(ToolCall(name: "Bash", input: ["command": "make test"])), actor: .tool, blobs: blobs)
    }

    mutating func end(_ status: String = "completed") -> Event {
        next(.sessionEnd(SessionEnd(status: status, exitCode: 0)), actor: .recorder)
    }

    /// `session.start`, then `count - 1` messages.
    mutating func events(_ count: Int) -> [Event] {
        (0..<count).map { i in i == 0 ? start() : message("step \(i)") }
    }
}

func openStore(_ dir: TemporaryDirectory, _ name: String = "store.sqlite") throws -> SQLiteStore {
    try SQLiteStore(path: dir.file(name), options: .relaxedDurability)
}

/// Options for tests: relaxed durability, and whatever `change` sets.
func storeOptions(_ change: (inout SQLiteStore.Options) -> Void = { _ in }) -> SQLiteStore.Options {
    var options = SQLiteStore.Options.relaxedDurability
    change(&options)
    return options
}

/// The first column of the first row of `sql` as an integer.
func scalar(_ database: Database, _ sql: String, _ values: SQLiteValue...) throws -> Int64 {
    let statement = try database.prepare(sql)
    return try statement.use { s throws(SQLiteError) -> Int64 in
        for (i, value) in values.enumerated() { try s.bind(Int32(i + 1), value) }
        _ = try s.step()
        return s.int64(0)
    }
}
