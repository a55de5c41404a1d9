import Foundation
import Recorder
import Testing
import TraceModel
import TraceWire

/// A fresh spool in a temp directory, removed with the fixture.
final class SpoolFixture {
    let root: String
    let spool: Spool

    init(_ options: SpoolOptions = .init(), subdirectory: String = "spool") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("spooltests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        spool = try Spool(path: root + "/" + subdirectory, options: options)
    }

    deinit { try? FileManager.default.removeItem(atPath: root) }

    func reopen(_ options: SpoolOptions) throws -> Spool { try Spool(path: spool.path, options: options) }

    static let start = EventDraft(kind: .sessionStart, actor: .system,
                                  data: SessionStart(agentName: "tester", command: ["bash"]).data)
    static let end = EventDraft(kind: .sessionEnd, actor: .system, data: SessionEnd(status: "completed", exitCode: 0).data)

    static func message(_ text: String) -> EventDraft {
        EventDraft(kind: .message, actor: .agent, data: Message(role: "assistant", text: text).data)
    }

    /// Every complete event of a session, decoded.
    func events(_ id: SessionID, after seq: UInt64? = nil) throws -> [Event] {
        try spool.records(of: id, after: seq, limit: .max).map { try Event.decode($0.bytes) }
    }

    func segmentNames(_ id: SessionID) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: spool.sessionDirectory(id))
            .filter { $0.hasPrefix("seg-") }.sorted()
    }

    func segmentPath(_ id: SessionID, _ name: String) -> String { spool.sessionDirectory(id) + "/" + name }

    /// All bytes of all segments of a session, concatenated.
    func rawSegments(_ id: SessionID) throws -> [UInt8] {
        try segmentNames(id).flatMap { Array(try Data(contentsOf: URL(fileURLWithPath: segmentPath(id, $0)))) }
    }

    func append(_ bytes: [UInt8], to path: String) throws {
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(bytes))
        try handle.close()
    }
}

extension Event {
    var notice: RecorderNotice? {
        if case .recorderNotice(let notice)? = try? payload() { return notice }
        return nil
    }
}

/// Runs `body` on its own thread (never on a Swift-concurrency thread) and signals when it returns.
func onThread(_ body: @escaping @Sendable () -> Void) -> DispatchSemaphore {
    let done = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        body()
        done.signal()
    }
    return done
}
