/// `session.start`: who runs what, under which condition, on which worker and workspace.
public struct SessionStart: EventData {
    public static let kind = EventKind.sessionStart
    public var agentName: String
    public var agentVersion: String?
    public var command: [String]?
    public var task: String?
    /// The experimental condition, e.g. `supervised` or `unsupervised`.
    public var condition: String?
    public var cues: [String]?
    public var worker: String?
    public var cwd: String?
    public var envFingerprint: Digest?
    public var snapshot: Digest?
    public var labels: [String: String]?
    public var replayOf: SessionID?
    public var forkOf: SessionID?

    public init(agentName: String, agentVersion: String? = nil, command: [String]? = nil, task: String? = nil,
                condition: String? = nil, cues: [String]? = nil, worker: String? = nil, cwd: String? = nil,
                envFingerprint: Digest? = nil, snapshot: Digest? = nil, labels: [String: String]? = nil,
                replayOf: SessionID? = nil, forkOf: SessionID? = nil) {
        self.agentName = agentName; self.agentVersion = agentVersion; self.command = command; self.task = task
        self.condition = condition; self.cues = cues; self.worker = worker; self.cwd = cwd
        self.envFingerprint = envFingerprint; self.snapshot = snapshot; self.labels = labels
        self.replayOf = replayOf; self.forkOf = forkOf
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        let agent = try r.object("agent", required: true)!
        agentName = try agent.string("name", required: true, minLength: 1)!
        agentVersion = try agent.string("version")
        command = try r.stringArray("command")
        task = try r.string("task")
        condition = try r.string("condition", minLength: 1)
        cues = try r.stringArray("cues")
        worker = try r.string("worker")
        cwd = try r.string("cwd")
        envFingerprint = try r.digest("env_fingerprint")
        snapshot = try r.digest("snapshot")
        labels = try r.stringMap("labels")?.compactMapValues { $0 }
        replayOf = try r.sessionID("replay_of")
        forkOf = try r.sessionID("fork_of")
    }

    public var data: [String: JSONValue] {
        var agent = DataObject()
        agent["name"] = agentName
        agent["version"] = agentVersion
        var d = DataObject()
        d["agent"] = JSONValue.object(agent.fields)
        d["command"] = command
        d["task"] = task
        d["condition"] = condition
        d["cues"] = cues
        d["worker"] = worker
        d["cwd"] = cwd
        d["env_fingerprint"] = envFingerprint
        d["snapshot"] = snapshot
        d["labels"] = labels
        d["replay_of"] = replayOf?.string
        d["fork_of"] = forkOf?.string
        return d.fields
    }
}

/// `session.end`: how the session finished.
public struct SessionEnd: EventData {
    public static let kind = EventKind.sessionEnd
    public static let statuses = ["completed", "failed", "killed", "timeout", "aborted"]
    public var status: String
    public var exitCode: Int64?
    public var signal: String?
    public var snapshot: Digest?
    public var durationMs: Double?

    public init(status: String, exitCode: Int64? = nil, signal: String? = nil, snapshot: Digest? = nil, durationMs: Double? = nil) {
        self.status = status; self.exitCode = exitCode; self.signal = signal; self.snapshot = snapshot; self.durationMs = durationMs
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        status = try r.oneOf("status", Self.statuses, required: true)!
        exitCode = try r.integer("exit_code")
        signal = try r.string("signal")
        snapshot = try r.digest("snapshot")
        durationMs = try r.number("duration_ms", min: 0)
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["status"] = status
        d["exit_code"] = exitCode
        d["signal"] = signal
        d["snapshot"] = snapshot
        d["duration_ms"] = durationMs
        return d.fields
    }
}

/// `annotation`: a human or analysis label attached to the session or one event.
public struct Annotation: EventData {
    public static let kind = EventKind.annotation
    public var label: String
    public var text: String?
    public var author: String?
    public var targetSeq: Int64?
    public var score: Double?

    public init(label: String, text: String? = nil, author: String? = nil, targetSeq: Int64? = nil, score: Double? = nil) {
        self.label = label; self.text = text; self.author = author; self.targetSeq = targetSeq; self.score = score
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        label = try r.string("label", required: true, minLength: 1)!
        text = try r.string("text")
        author = try r.string("author")
        targetSeq = try r.integer("target_seq", min: 0)
        score = try r.number("score")
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["label"] = label
        d["text"] = text
        d["author"] = author
        d["target_seq"] = targetSeq
        d["score"] = score
        return d.fields
    }
}

/// `recorder.notice`: the recorder's own gaps, overflows and clock jumps.
public struct RecorderNotice: EventData {
    public static let kind = EventKind.recorderNotice
    public var code: String
    public var message: String
    public var count: Int64?
    public var details: [String: JSONValue]?

    public init(code: String, message: String, count: Int64? = nil, details: [String: JSONValue]? = nil) {
        self.code = code; self.message = message; self.count = count; self.details = details
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        code = try r.string("code", required: true, minLength: 1)!
        message = try r.string("message", required: true)!
        count = try r.integer("count", min: 0)
        details = try r.object("details")?.object
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["code"] = code
        d["message"] = message
        d["count"] = count
        d["details"] = details.map(JSONValue.object)
        return d.fields
    }
}
