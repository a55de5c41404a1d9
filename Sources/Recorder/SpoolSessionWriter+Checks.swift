import TraceModel
import TraceWire

extension SpoolSessionWriter {
    /// Refuses drafts that would not make a valid event, so the collector never rejects a record
    /// and leaves a hole in the chain.
    static func validate(_ draft: EventDraft, seq: UInt64, session: SessionID) throws(SessionRecorderError) {
        func refuse(_ field: String?, _ message: String) -> SessionRecorderError {
            SessionRecorderError(code: .invalidDraft, session: session, field: field, message: message)
        }
        guard draft.kind.isWellFormed else {
            throw refuse("kind", "\"\(draft.kind.rawValue.prefix(64))\" is not a lowercase dotted name of at most 64 characters")
        }
        if let cause = draft.cause, cause >= seq {
            throw refuse("cause", "must name an earlier event (cause \(cause) is not below seq \(seq))")
        }
        for name in draft.blobs.keys where !isValidBlobName(name) {
            throw refuse("blobs.\(name.prefix(64))", "blob names are 1–64 characters of A–Z a–z 0–9 _ . -")
        }
    }

    static func isValidBlobName(_ name: String) -> Bool {
        let bytes = name.utf8
        guard (1...64).contains(bytes.count) else { return false }
        return bytes.allSatisfy {
            ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A)
                || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D
        }
    }

    /// The `data` of a known kind must match its schema (checked after redaction: what is written).
    func validatePayload(_ event: Event) throws(SessionRecorderError) {
        guard event.kind.isKnown else { return }
        do {
            _ = try event.payload()
        } catch {
            throw SessionRecorderError(code: .invalidDraft, session: session, field: error.field, message: error.reason)
        }
    }

    func checkRecordSize(_ count: Int) throws(SessionRecorderError) {
        guard count <= SpoolRecord.defaultMaxRecordBytes else {
            throw SessionRecorderError(
                code: .invalidDraft, session: session,
                message: "the event is \(count) bytes, above the \(SpoolRecord.defaultMaxRecordBytes)-byte record limit; keep large payloads in blobs")
        }
    }
}
