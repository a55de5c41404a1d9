import TraceModel
import TraceStore

extension SessionSummary {
    /// The JSON form shared by `GET /v1/sessions` and `parallax sessions --json`.
    public var jsonValue: JSONValue {
        func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
        return .object([
            "id": .string(id.string), "agent": string(agent), "agent_version": string(agentVersion),
            "task": string(task), "condition": string(condition), "worker": string(worker),
            "status": .string(status.rawValue), "started_at": .string(startedAt.rfc3339),
            "ended_at": string(endedAt?.rfc3339), "event_count": .number(JSONNumber(eventCount)),
            "last_seq": .number(JSONNumber(lastSeq)), "acked_seq": .number(JSONNumber(ackedSeq)),
            "conflicts": .number(JSONNumber(conflictCount)), "replay_of": string(replayOf?.string),
            "has_gaps": .bool(hasGaps), "chain_breaks": .number(JSONNumber(chainBreaks)),
        ])
    }
}

extension SessionPage {
    public var jsonValue: JSONValue {
        .object(["sessions": .array(sessions.map(\.jsonValue)), "next_cursor": nextCursor.map(JSONValue.string) ?? .null])
    }
}

/// A stored session checked against its hash chain, with its gaps, conflicts and the chain breaks
/// found at ingest — what
/// `GET /v1/sessions/<id>/verify` and `parallax verify` report.
public struct VerifyReport: Sendable {
    public var session: SessionID
    public var chain: ChainReport
    public var conflicts: [StoredConflict]
    /// Seqs whose stored bytes no longer decode as events.
    public var undecodable: [UInt64]
    /// Events whose `prev` did not match the event before them when they were stored.
    public var breaksAtIngest: [ChainBreak]

    public var isIntact: Bool { chain.isIntact && conflicts.isEmpty && undecodable.isEmpty && breaksAtIngest.isEmpty }

    public static func make(store: any Store, session: SessionID) throws -> VerifyReport {
        let stored = try store.events(session: session)
        var events: [Event] = []
        var undecodable: [UInt64] = []
        events.reserveCapacity(stored.count)
        for s in stored {
            if let e = try? s.event() { events.append(e) } else { undecodable.append(s.seq) }
        }
        return VerifyReport(session: session, chain: ChainVerifier.verify(events), conflicts: try store.conflicts(session: session),
                            undecodable: undecodable, breaksAtIngest: try store.chainBreaks(session: session))
    }

    public static func findingKind(_ finding: ChainFinding) -> String {
        switch finding {
        case .missing: "missing"
        case .edited: "edited"
        case .inserted: "inserted"
        case .reordered: "reordered"
        case .badLink: "bad_link"
        case .conflict: "conflict"
        }
    }

    public var jsonValue: JSONValue {
        var findings: [JSONValue] = chain.findings.map { f in
            .object(["kind": .string(Self.findingKind(f)), "seq": .number(JSONNumber(f.seq)), "message": .string(f.description)])
        }
        findings += undecodable.map { .object(["kind": "undecodable", "seq": .number(JSONNumber($0)), "message": .string("stored bytes of seq \($0) do not decode")]) }
        return .object([
            "session": .string(session.string), "intact": .bool(isIntact), "events": .number(JSONNumber(chain.eventCount)),
            "last_seq": chain.lastSeq.map { .number(JSONNumber($0)) } ?? .null,
            "head": chain.headDigest.map { .string($0.description) } ?? .null, "findings": .array(findings),
            "conflicts": .array(conflicts.map {
                .object(["seq": .number(JSONNumber($0.seq)), "received_at": .string($0.receivedAt.rfc3339), "digest": .string($0.digest.description)])
            }),
            "breaks_at_ingest": .array(breaksAtIngest.map {
                .object(["seq": .number(JSONNumber($0.seq)), "expected": .string($0.expected.description),
                         "actual": $0.actual.map { .string($0.description) } ?? .null, "detected_at": .string($0.detectedAt.rfc3339)])
            }),
        ])
    }
}
