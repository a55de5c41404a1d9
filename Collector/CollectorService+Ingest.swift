import TraceModel
import TraceStore
import TraceWire

extension CollectorService {
    /// `POST /v1/events`: decompress within limits, decode line by line, store through the group
    /// committer, and answer with per-line outcomes and each session's acked watermark.
    func ingest(_ request: HTTPRequest, caller: Caller) -> HTTPResponse {
        let compressedBytes = request.body.count
        if compressedBytes > configuration.maxEventBodyBytes {
            return countedBatch(Self.error(413, "request body of \(compressedBytes) bytes is over the \(configuration.maxEventBodyBytes)-byte limit"), 0, 0)
        }
        var body = request.body
        let encoding = (request.headers["content-encoding"] ?? "identity").lowercased()
        if encoding == "zstd" {
            do {
                body = try Zstd.decompress(request.body, limits: configuration.zstdLimits)
            } catch {
                switch error.code {
                case .outputLimitExceeded, .windowTooLarge:
                    return countedBatch(Self.error(413, "\(error.message)"), compressedBytes, 0)
                default:
                    return countedBatch(Self.error(400, "the zstd body is damaged: \(error.message)"), compressedBytes, 0)
                }
            }
        } else if body.count > configuration.maxDecompressedBytes {
            return countedBatch(Self.error(413, "request body is over the \(configuration.maxDecompressedBytes)-byte limit"), compressedBytes, 0)
        }

        let decoded = NDJSONBatch.decode(body, maxLineBytes: configuration.maxLineBytes)
        var rejected: [JSONValue] = decoded.errors.map { .object(["line": .number(JSONNumber($0.line)), "reason": .string($0.reason)]) }
        for error in decoded.errors { metrics.countEvents("rejected:" + Self.reasonClass(error.reason)) }
        let lines = decoded.events.map(\.line)
        let encoded = decoded.events.map { EncodedEvent($0.event) }

        var result = AppendResult()
        if !encoded.isEmpty {
            switch committer.submit(CommitRequest(events: encoded, project: caller.project)) {
            case .success(let r): result = r
            case .failure(.overloaded(let retry)):
                return countedBatch(Self.error(503, "the store is behind; nothing from this request was stored", headers: [("Retry-After", String(retry))]), compressedBytes, body.count)
            case .failure(.stopping):
                return countedBatch(Self.error(503, "the collector is shutting down; nothing from this request was stored", headers: [("Retry-After", "5")]), compressedBytes, body.count)
            case .failure(.store(let message, let retryable)):
                return countedBatch(Self.error(retryable ? 503 : 500, "the store failed: \(message)", headers: retryable ? [("Retry-After", "1")] : []), compressedBytes, body.count)
            }
        }
        // Map conflicts and foreign-project events back to their request lines.
        var lineOf: [SessionID: [UInt64: Int]] = [:]
        for (i, e) in encoded.enumerated() { lineOf[e.session, default: [:]][e.seq] = lines[i] }
        let conflicts: [JSONValue] = result.conflicts.map { c in
            .object(["line": .number(JSONNumber(lineOf[c.session]?[c.seq] ?? 0)), "session": .string(c.session.string), "seq": .number(JSONNumber(c.seq))])
        }
        // A break found by a late fill names the stored successor: point at the line that revealed it.
        let chainBreaks: [JSONValue] = result.chainBreaks.map { b in
            let line = lineOf[b.session]?[b.seq] ?? (b.seq > 0 ? lineOf[b.session]?[b.seq - 1] : nil) ?? 0
            return .object(["line": .number(JSONNumber(line)), "session": .string(b.session.string), "seq": .number(JSONNumber(b.seq))])
        }
        for f in result.foreign {
            rejected.append(.object(["line": .number(JSONNumber(lines[f.index])), "reason": .string(f.reason),
                                     "session": .string(f.session.string), "seq": .number(JSONNumber(f.seq))]))
        }
        metrics.countEvents("accepted", result.accepted)
        metrics.countEvents("duplicate", result.duplicates)
        metrics.countEvents("conflict", result.conflicts.count)
        metrics.countEvents("foreign", result.foreign.count)
        var acked: [String: JSONValue] = [:]
        for (session, seq) in result.acked { acked[session.string] = .number(JSONNumber(seq)) }
        rejected.sort { ($0["line"]?.int64Value ?? 0) < ($1["line"]?.int64Value ?? 0) }
        let reply = JSONValue.object([
            "accepted": .number(JSONNumber(result.accepted)), "duplicates": .number(JSONNumber(result.duplicates)),
            "rejected": .array(rejected), "conflicts": .array(conflicts), "acked": .object(acked),
            "chain_breaks": .array(chainBreaks),
        ])
        return countedBatch(Self.json(reply), compressedBytes, body.count)
    }

    private func countedBatch(_ response: HTTPResponse, _ compressed: Int, _ raw: Int) -> HTTPResponse {
        metrics.countBatch(status: response.status, compressedBytes: compressed, rawBytes: raw)
        return response
    }

    /// A small fixed vocabulary of rejection reasons for metric labels.
    static func reasonClass(_ reason: String) -> String {
        if reason.hasPrefix("invalid JSON") { return reason.contains("UTF-8") ? "invalid_utf8" : "invalid_json" }
        if reason.contains("-byte limit") { return "line_too_long" }
        if reason.contains("required field is missing") { return "missing_field" }
        if reason.contains("expected ") { return "wrong_type" }
        return "invalid_field"
    }

    /// `HEAD|GET|PUT /v1/blobs/sha256/<hex>`: content-addressed; PUT verifies the digest. A blob is
    /// visible only to the projects that uploaded it (another project's blob is "not found").
    func blob(_ request: HTTPRequest, hex: String, caller: Caller) -> HTTPResponse {
        guard let digest = Digest(hex: hex) else {
            return Self.error(400, "a blob is addressed by 64 lowercase hex digits of its SHA-256")
        }
        do {
            switch request.method {
            case "PUT":
                var bytes = request.body
                if (request.headers["content-encoding"] ?? "identity").lowercased() == "zstd" {
                    do {
                        bytes = try Zstd.decompress(request.body, limits: ZstdLimits(maxDecompressedBytes: configuration.maxBlobBytes,
                                                                                     maxWindowLog: configuration.maxWindowLog))
                    } catch {
                        switch error.code {
                        case .outputLimitExceeded, .windowTooLarge: return Self.error(413, "\(error.message)")
                        default: return Self.error(400, "the zstd body is damaged: \(error.message)")
                        }
                    }
                }
                guard Digest.sha256(bytes) == digest else {
                    return Self.error(400, "the body's SHA-256 does not match the address \(digest)")
                }
                if try store.hasBlob(digest, project: caller.project) { return .text(200, "already stored\n") }
                _ = try store.putBlob(bytes, project: caller.project)
                metrics.countBlob()
                return .text(201, "stored\n")
            case "HEAD":
                // The reply must announce the blob's size (wire.md §5). libmicrohttpd adds its own
                // "Content-Length: 0" beside one set by hand, so hand it the bytes: for HEAD it sends
                // their length and not the bytes.
                guard let bytes = try store.blob(digest, project: caller.project) else { return HTTPResponse(status: 404) }
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream")], body: bytes)
            default:
                guard let bytes = try store.blob(digest, project: caller.project) else { return Self.error(404, "no blob \(digest)") }
                if Self.acceptsZstd(request.headers) {
                    return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "zstd"),
                                                               ("Vary", "Accept-Encoding")], body: Zstd.compress(bytes, level: 3))
                }
                return HTTPResponse(status: 200, headers: [("Content-Type", "application/octet-stream"), ("Vary", "Accept-Encoding")], body: bytes)
            }
        } catch {
            return Self.error(503, "the store failed: \(error)", headers: [("Retry-After", "1")])
        }
    }
}
