import Glibc
import Recorder
import TraceModel

/// Builds the session a replay is stored as: a `session.start` with `replay_of`, the replayed
/// commands and file changes, a verdict annotation per step, and a `session.end` with the fidelity.
/// Events are sealed into a hash chain as they are added; large outputs go to `blobs`.
public final class ReplaySessionBuilder {
    public let id: SessionID
    public private(set) var events: [Event] = []
    /// Blobs the events name (outputs over the inline limit).
    public let blobs = MemoryBlobStore()
    private var chain = ChainBuilder()
    private let startedMono: UInt64

    public init(id: SessionID = .generate()) {
        self.id = id
        startedMono = ProcessLauncher.now()
    }

    /// Adds an event (at `ts`, or now) and returns its seq.
    @discardableResult
    public func add(_ kind: EventKind, actor: Actor, cause: UInt64? = nil, data: [String: JSONValue], blobs: [String: Digest] = [:],
                    ts: Timestamp? = nil) -> UInt64 {
        var event = Event(session: id, seq: chain.nextSeq, ts: ts ?? .now(), monoNs: ProcessLauncher.now() - startedMono,
                          kind: kind, actor: actor, cause: cause, data: data, blobs: blobs)
        _ = chain.seal(&event)
        events.append(event)
        return event.seq
    }

    /// Output as recorded events keep it: inline text up to the limit, else a blob.
    func output(_ name: String, _ bytes: [UInt8], total: UInt64, into data: inout [String: JSONValue], blobs names: inout [String: Digest]) {
        data["\(name)_bytes"] = .number(JSONNumber(Int64(total)))
        if bytes.count <= ProcessExec.inlineOutputLimit, let text = String(validating: bytes, as: UTF8.self) {
            if !bytes.isEmpty { data[name] = .string(text) }
        } else if let digest = try? blobs.put(bytes) {
            names[name] = digest
        }
    }
}
