import TraceModel

/// One line an agent-side process sends to its session's recorder over `PARALLAX_SOCKET`.
///
/// Lines are JSON objects; `op` selects the request (absent means `event`):
/// - `event`: `{"kind", "actor", "data", "blobs"?, "cause"?, "ts"?}` → `{"ok":true,"seq":N}`
/// - `exec.begin`: `{"argv", "cwd"}` before the recording shell runs a command → `{"ok":true,"seq":ID}`,
///   where ID names the command for its `exec.end`
/// - `exec.end`: `{"begin": N, "data": <process.exec data with the full environment in env>, "blobs"?}`
///   → `{"ok":true,"seq":N}`
/// Any failure answers `{"ok":false,"error":"…"}` and the connection stays usable.
public enum RecorderRequest: Sendable, Hashable {
    case event(EventDraft)
    case execBegin(argv: [String], cwd: String)
    case execEnd(begin: UInt64, data: [String: JSONValue], blobs: [String: Digest])

    /// The longest request line the recorder accepts.
    public static let maxLineBytes = 16 << 20

    public static func decode(_ line: [UInt8]) throws(EventDecodingError) -> RecorderRequest {
        let value: JSONValue
        do {
            value = try JSONParser.parse(line)
        } catch {
            throw EventDecodingError(field: "", reason: error.description)
        }
        guard let object = value.objectValue else {
            throw EventDecodingError(field: "", reason: "expected a JSON object, got \(value.typeName)")
        }
        let reader = FieldReader(object, path: "")
        switch try reader.string("op") ?? "event" {
        case "event":
            return .event(try draft(reader))
        case "exec.begin":
            let argv = try reader.stringArray("argv", required: true, minItems: 1) ?? []
            return .execBegin(argv: argv, cwd: try reader.string("cwd", required: true) ?? "")
        case "exec.end":
            let begin = try reader.integer("begin", required: true, min: 0) ?? 0
            let data = try reader.object("data", required: true)?.object ?? [:]
            return .execEnd(begin: UInt64(begin), data: data, blobs: try blobs(reader))
        case let other:
            throw EventDecodingError(field: "op", reason: "\"\(other)\" is not one of event, exec.begin, exec.end")
        }
    }

    /// Reads an event draft: kind and data are validated against the kind's schema here, so a
    /// caller learns at once which field is wrong.
    public static func draft(_ reader: FieldReader) throws(EventDecodingError) -> EventDraft {
        let kindText = try reader.string("kind", required: true) ?? ""
        let kind = EventKind(rawValue: kindText)
        guard kind.isWellFormed else {
            throw EventDecodingError(field: reader.fieldPath("kind"), reason: "\"\(kindText)\" is not a lowercase dotted name")
        }
        let actorText = try reader.string("actor") ?? Actor.agent.rawValue
        guard let actor = Actor(rawValue: actorText) else {
            throw EventDecodingError(
                field: reader.fieldPath("actor"),
                reason: "\"\(actorText)\" is not one of \(Actor.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let data = try reader.object("data")?.object ?? [:]
        _ = try EventPayload(kind: kind, data: data)
        let cause = try reader.integer("cause", min: 0).map(UInt64.init)
        var ts: Timestamp? = nil
        if let text = try reader.string("ts") {
            guard let parsed = Timestamp(rfc3339: text) else {
                throw EventDecodingError(field: reader.fieldPath("ts"), reason: "\"\(text)\" is not an RFC 3339 UTC timestamp")
            }
            ts = parsed
        }
        return EventDraft(kind: kind, actor: actor, data: data, blobs: try blobs(reader), cause: cause, ts: ts)
    }

    static func blobs(_ reader: FieldReader) throws(EventDecodingError) -> [String: Digest] {
        guard let object = try reader.object("blobs") else { return [:] }
        var blobs: [String: Digest] = [:]
        for key in object.object.keys.sorted() {
            guard let digest = try object.digest(key, required: true) else { continue }
            blobs[key] = digest
        }
        return blobs
    }

    /// The request as one line (without the newline).
    public func encoded() -> [UInt8] {
        var object: [String: JSONValue]
        switch self {
        case .event(let draft):
            object = ["op": .string("event"), "kind": .string(draft.kind.rawValue), "actor": .string(draft.actor.rawValue),
                      "data": .object(draft.data)]
            if !draft.blobs.isEmpty { object["blobs"] = .object(draft.blobs.mapValues { .string($0.description) }) }
            if let cause = draft.cause { object["cause"] = .number(JSONNumber(cause)) }
            if let ts = draft.ts { object["ts"] = .string(ts.description) }
        case .execBegin(let argv, let cwd):
            object = ["op": .string("exec.begin"), "argv": .array(argv.map(JSONValue.string)), "cwd": .string(cwd)]
        case .execEnd(let begin, let data, let blobs):
            object = ["op": .string("exec.end"), "begin": .number(JSONNumber(begin)), "data": .object(data)]
            if !blobs.isEmpty { object["blobs"] = .object(blobs.mapValues { .string($0.description) }) }
        }
        return JSONValue.object(object).canonicalBytes()
    }
}

/// The recorder's answer to one request line.
public enum RecorderReply: Sendable, Hashable {
    /// The event's seq (for `event` and `exec.end`) or the command's id (for `exec.begin`).
    case ok(UInt64)
    case failed(String)

    public func encoded() -> [UInt8] {
        switch self {
        case .ok(let value):
            return JSONValue.object(["ok": .bool(true), "seq": .number(JSONNumber(value))]).canonicalBytes()
        case .failed(let message):
            return JSONValue.object(["ok": .bool(false), "error": .string(message)]).canonicalBytes()
        }
    }

    public static func decode(_ line: [UInt8]) -> RecorderReply {
        guard let value = try? JSONParser.parse(line), let object = value.objectValue else {
            return .failed("the recorder answered something that is not a JSON object")
        }
        if object["ok"]?.boolValue == true, let seq = object["seq"]?.numberValue?.uint64Value { return .ok(seq) }
        return .failed(object["error"]?.stringValue ?? "the recorder refused the request without a reason")
    }
}
