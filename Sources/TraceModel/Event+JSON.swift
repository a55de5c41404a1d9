extension Event {
    /// The largest integer every JSON implementation represents exactly.
    public static let maxSafeInteger: Int64 = 9_007_199_254_740_991
    static let envelopeKeys: Set<String> = ["v", "session", "seq", "ts", "mono_ns", "kind", "actor", "cause", "data", "blobs", "prev"]

    /// Parses and validates one event (one NDJSON line): JSON syntax, envelope, and the `data` of known kinds.
    public static func decode(_ bytes: ArraySlice<UInt8>) throws(EventDecodingError) -> Event {
        let json: JSONValue
        do {
            json = try JSONParser.parse(bytes)
        } catch {
            throw EventDecodingError(field: nil, reason: error.description)
        }
        return try Event(json: json)
    }

    public static func decode(_ bytes: [UInt8]) throws(EventDecodingError) -> Event { try decode(bytes[...]) }
    public static func decode(_ text: String) throws(EventDecodingError) -> Event { try decode(Array(text.utf8)[...]) }

    /// Validates a parsed JSON value as a v1 event.
    public init(json: JSONValue) throws(EventDecodingError) {
        guard case .object(let object) = json else {
            throw EventDecodingError(field: nil, reason: "an event must be a JSON object, got \(json.typeName)")
        }
        for key in object.keys {
            switch key {
            case "v", "session", "seq", "ts", "mono_ns", "kind", "actor", "cause", "data", "blobs", "prev": continue
            default:
                let first = JSONValue.sortedKeys(object).first { !Self.envelopeKeys.contains($0) } ?? key
                throw EventDecodingError(field: first, reason: "unknown envelope field (event-specific fields belong in data)")
            }
        }
        let r = FieldReader(object, path: "")
        let version = try r.integer("v", required: true)!
        guard version == Int64(Self.schemaVersion) else {
            throw EventDecodingError(field: "v", reason: "unsupported schema version \(version) (this build reads version \(Self.schemaVersion))")
        }
        let session = try r.sessionID("session", required: true)!
        let seq = UInt64(try r.integer("seq", required: true, min: 0, max: Self.maxSafeInteger)!)
        let tsText = try r.string("ts", required: true)!
        guard let ts = Timestamp(rfc3339: tsText) else {
            throw EventDecodingError(field: "ts", reason: "\"\(tsText.prefix(64))\" is not RFC 3339 UTC with microseconds (like 2026-11-25T08:45:50.123456Z)")
        }
        let monoNs = UInt64(try r.integer("mono_ns", required: true, min: 0)!)
        let kind = EventKind(rawValue: try r.string("kind", required: true)!)
        guard kind.isWellFormed else {
            throw EventDecodingError(field: "kind", reason: "\"\(kind.rawValue.prefix(64))\" is not a lowercase dotted name (like tool.call) of at most 64 characters")
        }
        let actorText = try r.string("actor", required: true)!
        guard let actor = Actor(rawValue: actorText) else {
            throw EventDecodingError(field: "actor", reason: "\"\(actorText.prefix(64))\" is not one of \(Actor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let cause = try r.integer("cause", min: 0, max: Self.maxSafeInteger).map(UInt64.init)
        if let cause, cause >= seq {
            throw EventDecodingError(field: "cause", reason: "must refer to an earlier event (cause \(cause) is not below seq \(seq))")
        }
        guard let dataValue = object["data"] else { throw EventDecodingError(field: "data", reason: "required field is missing") }
        guard case .object(let data) = dataValue else {
            throw EventDecodingError(field: "data", reason: "expected object, got \(dataValue.typeName)")
        }
        var blobs: [String: Digest] = [:]
        if let blobReader = try r.object("blobs") {
            for name in JSONValue.sortedKeys(blobReader.object) {
                guard Self.isValidBlobName(name) else {
                    throw EventDecodingError(field: "blobs.\(name.prefix(64))", reason: "blob names are 1–64 characters of A–Z a–z 0–9 _ . -")
                }
                blobs[name] = try blobReader.digest(name, required: true)
            }
        }
        let prev = try r.digest("prev")
        if seq == 0, prev != nil { throw EventDecodingError(field: "prev", reason: "must be absent at seq 0 (the chain starts there)") }
        if seq > 0, prev == nil { throw EventDecodingError(field: "prev", reason: "required when seq > 0 (digest of the previous event)") }

        self.init(session: session, seq: seq, ts: ts, monoNs: monoNs, kind: kind, actor: actor, cause: cause,
                  data: data, blobs: blobs, prev: prev)
        if kind.isKnown { _ = try payload() }
    }

    static func isValidBlobName(_ name: String) -> Bool {
        let b = name.utf8
        guard (1...64).contains(b.count) else { return false }
        return b.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F || $0 == 0x2E || $0 == 0x2D }
    }

    /// The event as a JSON value (what `canonicalBytes` encodes).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "v": .number(JSONNumber(Self.schemaVersion)),
            "session": .string(session.string),
            "seq": .number(JSONNumber(seq)),
            "ts": .string(ts.rfc3339),
            "mono_ns": .number(JSONNumber(monoNs)),
            "kind": .string(kind.rawValue),
            "actor": .string(actor.rawValue),
            "data": .object(data),
        ]
        if let cause { o["cause"] = .number(JSONNumber(cause)) }
        if !blobs.isEmpty { o["blobs"] = .object(blobs.mapValues { .string($0.description) }) }
        if let prev { o["prev"] = .string(prev.description) }
        return .object(o)
    }

    /// Canonical bytes (DESIGN §3): what the chain hashes and the store keeps.
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(320)
        writeCanonical(into: &out)
        return out
    }

    /// Appends the canonical bytes to `out` (batch encoders write many events into one buffer).
    public func writeCanonical(into out: inout [UInt8]) {
        // Envelope keys written directly in their sorted order; equal to `json.canonicalBytes()`.
        func key(_ k: StaticString) {
            k.withUTF8Buffer { out.append(contentsOf: $0) }
        }
        key("{\"actor\":\"")
        out.append(contentsOf: actor.rawValue.utf8)
        out.append(0x22)
        if !blobs.isEmpty {
            key(",\"blobs\":{")
            for (i, name) in blobs.keys.sorted(by: JSONValue.utf8Precedes).enumerated() {
                if i > 0 { out.append(0x2C) }
                JSONValue.writeCanonical(string: name, into: &out)
                out.append(0x3A)
                out.append(0x22)
                blobs[name]!.write(into: &out)
                out.append(0x22)
            }
            out.append(0x7D)
        }
        if let cause {
            key(",\"cause\":")
            out.append(contentsOf: String(cause).utf8)
        }
        key(",\"data\":")
        JSONValue.object(data).writeCanonical(into: &out)
        key(",\"kind\":")
        JSONValue.writeCanonical(string: kind.rawValue, into: &out)
        key(",\"mono_ns\":")
        out.append(contentsOf: String(monoNs).utf8)
        if let prev {
            key(",\"prev\":\"")
            prev.write(into: &out)
            out.append(0x22)
        }
        key(",\"seq\":")
        out.append(contentsOf: String(seq).utf8)
        key(",\"session\":\"")
        out.append(contentsOf: session.string.utf8)
        key("\",\"ts\":\"")
        out.append(contentsOf: ts.rfc3339Bytes)
        key("\",\"v\":1}")
    }

    /// SHA-256 of the canonical bytes: the `prev` the next event must carry.
    public var digest: Digest { Digest.sha256(canonicalBytes()) }
}
