import TraceModel

/// The collector's answer to `POST /v1/events` (wire.md §4.3), checked field by field.
public struct IngestReply: Sendable, Equatable {
    /// A line the collector refused; it will be refused again if resent.
    public struct Rejection: Sendable, Equatable {
        public var line: Int
        public var reason: String
        public var session: SessionID?
        public var seq: UInt64?

        public init(line: Int, reason: String, session: SessionID? = nil, seq: UInt64? = nil) {
            self.line = line
            self.reason = reason
            self.session = session
            self.seq = seq
        }
    }

    /// A line the reply names by session and seq (conflicts, chain breaks).
    public struct LineEvent: Sendable, Equatable {
        public var line: Int
        public var session: SessionID
        public var seq: UInt64

        public init(line: Int, session: SessionID, seq: UInt64) {
            self.line = line
            self.session = session
            self.seq = seq
        }
    }

    public var accepted: Int
    public var duplicates: Int
    public var rejected: [Rejection]
    public var conflicts: [LineEvent]
    public var chainBreaks: [LineEvent]
    /// Highest contiguous stored seq per session; -1 when seq 0 is not stored.
    public var acked: [SessionID: Int64]

    public init(accepted: Int = 0, duplicates: Int = 0, rejected: [Rejection] = [], conflicts: [LineEvent] = [],
                chainBreaks: [LineEvent] = [], acked: [SessionID: Int64] = [:]) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
        self.conflicts = conflicts
        self.chainBreaks = chainBreaks
        self.acked = acked
    }

    /// Parses a reply body. `accepted`, `duplicates`, `rejected` and `acked` are required;
    /// `conflicts` and `chain_breaks` may be absent (none).
    public init(parsing body: [UInt8]) throws(ShipperError) {
        let json: JSONValue
        do {
            json = try JSONParser.parse(body)
        } catch {
            throw Self.malformed("the reply is not JSON (\(error))")
        }
        guard json.objectValue != nil else { throw Self.malformed("the reply is a JSON \(json.typeName), not an object") }
        accepted = try Self.count(json["accepted"], "accepted")
        duplicates = try Self.count(json["duplicates"], "duplicates")
        rejected = try Self.list(json["rejected"], "rejected", required: true).enumerated().map { (i, item) throws(ShipperError) in
            let path = "rejected[\(i)]"
            guard item.objectValue != nil else { throw Self.malformed("\(path): expected an object") }
            guard let reason = item["reason"]?.stringValue else { throw Self.malformed("\(path).reason: expected a string") }
            var rejection = Rejection(line: try Self.line(item["line"], "\(path).line"), reason: reason)
            if let session = item["session"] { rejection.session = try Self.session(session, "\(path).session") }
            if let seq = item["seq"] { rejection.seq = try Self.seq(seq, "\(path).seq") }
            return rejection
        }
        conflicts = try Self.lineEvents(json["conflicts"], "conflicts", firstLine: 1)
        // A break the collector could not tie to a line of this request carries line 0.
        chainBreaks = try Self.lineEvents(json["chain_breaks"], "chain_breaks", firstLine: 0)
        guard let ackedObject = json["acked"]?.objectValue else { throw Self.malformed("acked: expected an object") }
        var acked: [SessionID: Int64] = [:]
        for (key, value) in ackedObject {
            guard let session = SessionID(key) else { throw Self.malformed("acked: \"\(key)\" is not a session id") }
            guard let seq = value.int64Value, seq >= -1 else { throw Self.malformed("acked.\(key): expected an integer ≥ -1") }
            acked[session] = seq
        }
        self.acked = acked
    }

    /// Checks the reply accounts for exactly the `lines` lines sent, each at most once.
    public func check(lines: Int) throws(ShipperError) {
        let total = accepted + duplicates + rejected.count + conflicts.count
        guard total == lines else {
            throw Self.malformed("the reply accounts for \(total) lines (\(accepted) accepted, \(duplicates) duplicate, \(rejected.count) rejected, \(conflicts.count) conflicting) but \(lines) were sent")
        }
        var named: Set<Int> = []
        for line in rejected.map(\.line) + conflicts.map(\.line) {
            guard (1...max(1, lines)).contains(line), lines > 0 else { throw Self.malformed("the reply names line \(line) of a \(lines)-line batch") }
            guard named.insert(line).inserted else { throw Self.malformed("the reply names line \(line) twice") }
        }
    }

    static func malformed(_ message: String) -> ShipperError {
        ShipperError(.malformedReply, "malformed reply to POST /v1/events: \(message)")
    }

    private static func count(_ value: JSONValue?, _ path: String) throws(ShipperError) -> Int {
        guard let number = value?.int64Value, number >= 0, number <= Int64(Int32.max) else {
            throw malformed("\(path): expected a non-negative integer")
        }
        return Int(number)
    }

    private static func line(_ value: JSONValue?, _ path: String, firstLine: Int64 = 1) throws(ShipperError) -> Int {
        guard let number = value?.int64Value, number >= firstLine, number <= Int64(Int32.max) else {
            throw malformed("\(path): expected a line number ≥ \(firstLine)")
        }
        return Int(number)
    }

    private static func session(_ value: JSONValue, _ path: String) throws(ShipperError) -> SessionID {
        guard let text = value.stringValue, let session = SessionID(text) else { throw malformed("\(path): expected a session id") }
        return session
    }

    private static func seq(_ value: JSONValue, _ path: String) throws(ShipperError) -> UInt64 {
        guard let seq = value.numberValue?.uint64Value else { throw malformed("\(path): expected a non-negative integer") }
        return seq
    }

    private static func list(_ value: JSONValue?, _ path: String, required: Bool) throws(ShipperError) -> [JSONValue] {
        guard let value else {
            if required { throw malformed("\(path): missing") }
            return []
        }
        guard let items = value.arrayValue else { throw malformed("\(path): expected an array") }
        return items
    }

    private static func lineEvents(_ value: JSONValue?, _ path: String, firstLine: Int64) throws(ShipperError) -> [LineEvent] {
        try list(value, path, required: false).enumerated().map { (i, item) throws(ShipperError) in
            let at = "\(path)[\(i)]"
            guard item.objectValue != nil else { throw malformed("\(at): expected an object") }
            guard let session = item["session"] else { throw malformed("\(at).session: missing") }
            guard let seq = item["seq"] else { throw malformed("\(at).seq: missing") }
            return LineEvent(line: try line(item["line"], "\(at).line", firstLine: firstLine), session: try Self.session(session, "\(at).session"),
                             seq: try Self.seq(seq, "\(at).seq"))
        }
    }
}
