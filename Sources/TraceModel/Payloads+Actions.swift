/// `tool.call`: the agent invokes a tool.
public struct ToolCall: EventData {
    public static let kind = EventKind.toolCall
    public var name: String
    public var callID: String?
    public var input: JSONValue?
    public init(name: String, callID: String? = nil, input: JSONValue? = nil) { self.name = name; self.callID = callID; self.input = input }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        name = try r.string("name", required: true, minLength: 1)!
        callID = try r.string("call_id")
        input = r.object["input"]
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["name"] = name
        d["call_id"] = callID
        d["input"] = input
        return d.fields
    }
}

/// `tool.result`: what a tool returned (its `cause` is the call).
public struct ToolResult: EventData {
    public static let kind = EventKind.toolResult
    public var name: String
    public var callID: String?
    public var output: JSONValue?
    public var isError: Bool?
    public init(name: String, callID: String? = nil, output: JSONValue? = nil, isError: Bool? = nil) {
        self.name = name; self.callID = callID; self.output = output; self.isError = isError
    }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        name = try r.string("name", required: true, minLength: 1)!
        callID = try r.string("call_id")
        output = r.object["output"]
        isError = try r.bool("is_error")
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["name"] = name
        d["call_id"] = callID
        d["output"] = output
        d["is_error"] = isError
        return d.fields
    }
}

/// `process.exec`: one command run to completion. Output up to 4 KiB is inline; larger output is in
/// the `stdout` / `stderr` blobs.
public struct ProcessExec: EventData {
    public static let kind = EventKind.processExec
    public static let inlineOutputLimit = 4096
    public var argv: [String]
    public var cwd: String
    /// Environment changes against the recorder's own: a value, or nil for "unset".
    public var env: [String: String?]?
    public var exitCode: Int64?
    public var signal: String?
    public var durationMs: Double?
    public var stdout: String?
    public var stderr: String?
    public var stdoutBytes: Int64?
    public var stderrBytes: Int64?
    public var pid: Int64?

    public init(argv: [String], cwd: String, env: [String: String?]? = nil, exitCode: Int64? = nil, signal: String? = nil,
                durationMs: Double? = nil, stdout: String? = nil, stderr: String? = nil, stdoutBytes: Int64? = nil,
                stderrBytes: Int64? = nil, pid: Int64? = nil) {
        self.argv = argv; self.cwd = cwd; self.env = env; self.exitCode = exitCode; self.signal = signal
        self.durationMs = durationMs; self.stdout = stdout; self.stderr = stderr
        self.stdoutBytes = stdoutBytes; self.stderrBytes = stderrBytes; self.pid = pid
    }

    public init(reading r: FieldReader) throws(EventDecodingError) {
        argv = try r.stringArray("argv", required: true, minItems: 1)!
        cwd = try r.string("cwd", required: true)!
        env = try r.stringMap("env", allowNull: true)
        exitCode = try r.integer("exit_code")
        signal = try r.string("signal")
        durationMs = try r.number("duration_ms", min: 0)
        stdout = try r.string("stdout")
        stderr = try r.string("stderr")
        stdoutBytes = try r.integer("stdout_bytes", min: 0)
        stderrBytes = try r.integer("stderr_bytes", min: 0)
        pid = try r.integer("pid", min: 0)
    }

    public var data: [String: JSONValue] {
        var d = DataObject()
        d["argv"] = argv
        d["cwd"] = cwd
        d["env"] = env.map { JSONValue.object($0.mapValues { $0.map(JSONValue.string) ?? .null }) }
        d["exit_code"] = exitCode
        d["signal"] = signal
        d["duration_ms"] = durationMs
        d["stdout"] = stdout
        d["stderr"] = stderr
        d["stdout_bytes"] = stdoutBytes
        d["stderr_bytes"] = stderrBytes
        d["pid"] = pid
        return d.fields
    }
}

/// `file.write`: a file created or changed, with content digests before and after.
public struct FileWrite: EventData {
    public static let kind = EventKind.fileWrite
    public var path: String
    public var after: Digest
    /// nil: the file did not exist before.
    public var before: Digest?
    public var mode: Int64?
    public var size: Int64?
    public init(path: String, after: Digest, before: Digest? = nil, mode: Int64? = nil, size: Int64? = nil) {
        self.path = path; self.after = after; self.before = before; self.mode = mode; self.size = size
    }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        path = try r.string("path", required: true, minLength: 1)!
        after = try r.digest("after", required: true)!
        before = try r.digest("before", nullable: true)
        mode = try r.integer("mode", min: 0, max: 0o7777)
        size = try r.integer("size", min: 0)
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["path"] = path
        d["after"] = after
        d["before"] = before
        d["mode"] = mode
        d["size"] = size
        return d.fields
    }
}

/// `file.delete`: a file removed.
public struct FileDelete: EventData {
    public static let kind = EventKind.fileDelete
    public var path: String
    public var before: Digest?
    public init(path: String, before: Digest? = nil) { self.path = path; self.before = before }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        path = try r.string("path", required: true, minLength: 1)!
        before = try r.digest("before")
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["path"] = path
        d["before"] = before
        return d.fields
    }
}

/// `net.request`: an outbound network call.
public struct NetRequest: EventData {
    public static let kind = EventKind.netRequest
    public var method: String
    public var url: String
    public var headers: [String: String]?
    public var bodyBytes: Int64?
    public init(method: String, url: String, headers: [String: String]? = nil, bodyBytes: Int64? = nil) {
        self.method = method; self.url = url; self.headers = headers; self.bodyBytes = bodyBytes
    }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        method = try r.string("method", required: true)!
        url = try r.string("url", required: true)!
        headers = try r.stringMap("headers")?.compactMapValues { $0 }
        bodyBytes = try r.integer("body_bytes", min: 0)
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["method"] = method
        d["url"] = url
        d["headers"] = headers
        d["body_bytes"] = bodyBytes
        return d.fields
    }
}

/// `net.response`: the answer to a `net.request`, or the error that replaced it.
public struct NetResponse: EventData {
    public static let kind = EventKind.netResponse
    public var status: Int64?
    public var error: String?
    public var headers: [String: String]?
    public var bodyBytes: Int64?
    public var latencyMs: Double?
    public init(status: Int64? = nil, error: String? = nil, headers: [String: String]? = nil, bodyBytes: Int64? = nil, latencyMs: Double? = nil) {
        self.status = status; self.error = error; self.headers = headers; self.bodyBytes = bodyBytes; self.latencyMs = latencyMs
    }
    public init(reading r: FieldReader) throws(EventDecodingError) {
        status = try r.integer("status", min: 100, max: 599)
        error = try r.string("error")
        if status == nil, error == nil {
            throw EventDecodingError(field: "data", reason: "a net.response needs a status or an error")
        }
        headers = try r.stringMap("headers")?.compactMapValues { $0 }
        bodyBytes = try r.integer("body_bytes", min: 0)
        latencyMs = try r.number("latency_ms", min: 0)
    }
    public var data: [String: JSONValue] {
        var d = DataObject()
        d["status"] = status
        d["error"] = error
        d["headers"] = headers
        d["body_bytes"] = bodyBytes
        d["latency_ms"] = latencyMs
        return d.fields
    }
}
