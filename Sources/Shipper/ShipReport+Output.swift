import TraceModel

extension ShipReport {
    /// The report as JSON (`parallax ship --json`).
    public var json: JSONValue {
        func number(_ value: Int) -> JSONValue { .number(JSONNumber(value)) }
        func seq(_ value: UInt64?) -> JSONValue { value.map { .number(JSONNumber($0)) } ?? .null }
        func text(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        let sessions: [JSONValue] = self.sessions.map { s in
            .object([
                "session": .string(s.session.string), "events_sent": number(s.eventsSent), "accepted": number(s.accepted),
                "duplicates": number(s.duplicates), "acked_seq": seq(s.ackedSeq),
                "rejected": .array(s.rejected.map { .object(["seq": .number(JSONNumber($0.seq)), "reason": .string($0.reason)]) }),
                "conflicts": .array(s.conflicts.map { .number(JSONNumber($0)) }),
                "chain_breaks": .array(s.chainBreaks.map { .number(JSONNumber($0)) }),
                "recovery": text(s.recovery), "collector": text(s.collector), "drained": .bool(s.drained),
            ])
        }
        let problems: [JSONValue] = blobProblems.map { p in
            .object(["digest": .string(p.digest.description), "session": text(p.session?.string), "seq": seq(p.seq), "message": .string(p.message)])
        }
        let errors: [JSONValue] = self.errors.map { e in
            .object(["code": .string(e.code.rawValue), "message": .string(e.message), "collector": text(e.collector), "session": text(e.session?.string)])
        }
        return .object([
            "sessions": .array(sessions), "events_sent": number(eventsSent), "accepted": number(accepted), "duplicates": number(duplicates),
            "blobs_uploaded": number(blobsUploaded), "blob_bytes_uploaded": number(blobBytesUploaded), "blobs_present": number(blobsPresent),
            "blob_problems": .array(problems), "errors": .array(errors), "delivered": .bool(delivered),
        ])
    }

    /// Lines for people: one per session that had something to do, then rejected events and blob
    /// problems. `errors` are left to the caller (they usually go to standard error).
    public var lines: [String] {
        var out: [String] = []
        for s in sessions where s.eventsSent > 0 || !s.rejected.isEmpty || !s.conflicts.isEmpty || s.recovery != nil {
            var line = "\(s.session): \(s.eventsSent) sent (\(s.accepted) new, \(s.duplicates) duplicate)"
            line += s.ackedSeq.map { ", acked through seq \($0)" } ?? ", nothing acked"
            if let collector = s.collector { line += " via \(collector)" }
            out.append(line)
            if let recovery = s.recovery { out.append("\(s.session): recovered: \(recovery)") }
            for r in s.rejected.prefix(20) { out.append("\(s.session): seq \(r.seq) rejected: \(r.reason)") }
            if s.rejected.count > 20 { out.append("\(s.session): … and \(s.rejected.count - 20) more rejected events") }
            if !s.rejected.isEmpty {
                out.append("\(s.session): rejected events stay in the spool and are not resent; the session's watermark stops before seq \(s.rejected[0].seq)")
            }
            for c in s.conflicts.prefix(20) { out.append("\(s.session): seq \(c) conflicts with a different event already stored (the collector keeps the first)") }
        }
        if blobsUploaded > 0 || blobsPresent > 0 { out.append("blobs: \(blobsUploaded) uploaded (\(blobBytesUploaded) bytes), \(blobsPresent) already on the collector") }
        for p in blobProblems {
            let at = p.session.map { " (session \($0)\(p.seq.map { " seq \($0)" } ?? ""))" } ?? ""
            out.append("blob \(p.digest)\(at): \(p.message)")
        }
        return out
    }
}
