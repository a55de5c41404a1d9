import Foundation
import TraceModel
import TraceStore
import TraceWire

extension CollectorService {
    /// Looks a session up in the caller's project; another project's session is "not found".
    func lookup(_ text: String, caller: Caller) -> Result<SessionSummary, Refusal> {
        guard let id = SessionID(text) else { return .failure(Refusal(response: Self.error(400, "\"\(text.prefix(40))\" is not a session id (a ULID)"))) }
        do {
            guard let summary = try store.session(id, project: caller.project) else {
                return .failure(Refusal(response: Self.error(404, "no session \(id)")))
            }
            return .success(summary)
        } catch {
            return .failure(Refusal(response: Self.error(503, "the store failed: \(error)", headers: [("Retry-After", "1")])))
        }
    }

    /// `GET /v1/sessions?agent=&task=&condition=&worker=&status=&since=&until=&limit=&cursor=`
    func sessions(_ request: HTTPRequest, caller: Caller) -> HTTPResponse {
        var query = SessionQuery()
        query.project = caller.project
        func one(_ name: String) -> String? { request.query[name]?.last }
        query.agent = one("agent")
        query.task = one("task")
        query.condition = one("condition")
        query.worker = one("worker")
        query.status = one("status").map { SessionStatus(rawValue: $0) }
        for (name, keyPath) in [("since", \SessionQuery.since), ("until", \SessionQuery.until)] {
            if let text = one(name) {
                guard let ts = Timestamp(lenient: text) else { return Self.error(400, "\(name) must be RFC 3339 UTC, like 2026-11-25T08:00:00Z") }
                query[keyPath: keyPath] = ts
            }
        }
        if let text = one("limit") {
            guard let limit = Int(text), (1...SessionQuery.maxLimit).contains(limit) else {
                return Self.error(400, "limit must be an integer in 1...\(SessionQuery.maxLimit)")
            }
            query.limit = limit
        }
        query.cursor = one("cursor")
        do {
            return Self.json(try store.sessions(query).jsonValue)
        } catch let error as StoreError {
            return Self.error(400, "\(error)")
        } catch {
            return Self.error(503, "the store failed: \(error)", headers: [("Retry-After", "1")])
        }
    }

    func session(_ id: String, caller: Caller) -> HTTPResponse {
        switch lookup(id, caller: caller) {
        case .success(let summary): return Self.json(summary.jsonValue)
        case .failure(let refusal): return refusal.response
        }
    }

    /// `GET /v1/sessions/<id>/events?from_seq=&to_seq=&kind=` as NDJSON (zstd when asked).
    func events(_ request: HTTPRequest, id: String, caller: Caller) -> HTTPResponse {
        let summary: SessionSummary
        switch lookup(id, caller: caller) {
        case .success(let s): summary = s
        case .failure(let refusal): return refusal.response
        }
        var from: UInt64 = 0
        var to = UInt64(Event.maxSafeInteger)
        if let text = request.query["from_seq"]?.last {
            guard let v = UInt64(text) else { return Self.error(400, "from_seq must be a non-negative integer") }
            from = v
        }
        if let text = request.query["to_seq"]?.last {
            guard let v = UInt64(text) else { return Self.error(400, "to_seq must be a non-negative integer") }
            to = v
        }
        guard from <= to else { return Self.error(400, "from_seq is after to_seq") }
        var kinds: Set<EventKind>? = nil
        if let names = request.query["kind"], !names.isEmpty {
            kinds = Set(names.flatMap { $0.split(separator: ",").map { EventKind(rawValue: String($0)) } })
        }
        let stored: [StoredEvent]
        do {
            stored = try store.events(session: summary.id, seqs: from...to, kinds: kinds)
        } catch {
            return Self.error(503, "the store failed: \(error)", headers: [("Retry-After", "1")])
        }
        var body: [UInt8] = []
        body.reserveCapacity(stored.reduce(0) { $0 + $1.bytes.count + 1 })
        for e in stored {
            body.append(contentsOf: e.bytes)
            body.append(0x0A)
        }
        var headers = [("Content-Type", "application/x-ndjson")]
        if Self.acceptsZstd(request.headers) {
            body = Zstd.compress(body, level: 3)
            headers.append(("Content-Encoding", "zstd"))
        }
        headers.append(("Vary", "Accept-Encoding"))
        return HTTPResponse(status: 200, headers: headers, body: body)
    }

    /// Whether `Accept-Encoding` lists zstd (a zero quality value, `zstd;q=0`, refuses it).
    static func acceptsZstd(_ headers: [String: String]) -> Bool {
        guard let accept = headers["accept-encoding"] else { return false }
        return accept.lowercased().split(separator: ",").contains { item in
            let parts = item.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.first == "zstd" else { return false }
            guard let quality = parts.dropFirst().first(where: { $0.hasPrefix("q=") }) else { return true }
            return (Double(quality.dropFirst(2)) ?? 1) > 0
        }
    }

    func verify(_ id: String, caller: Caller) -> HTTPResponse {
        switch lookup(id, caller: caller) {
        case .success(let summary):
            do {
                return Self.json(try VerifyReport.make(store: store, session: summary.id).jsonValue)
            } catch {
                return Self.error(503, "the store failed: \(error)", headers: [("Retry-After", "1")])
            }
        case .failure(let refusal): return refusal.response
        }
    }
}

extension Timestamp {
    /// RFC 3339 UTC with 0–6 fractional digits (padded to microseconds).
    public init?(lenient text: String) {
        if let ts = Timestamp(rfc3339: text) { self = ts; return }
        guard text.hasSuffix("Z"), text.count >= 20 else { return nil }
        let body = text.dropLast()
        let parts = body.split(separator: ".", maxSplits: 1)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        guard fraction.count <= 6, fraction.allSatisfy(\.isNumber) else { return nil }
        guard let ts = Timestamp(rfc3339: "\(parts[0]).\(fraction)\(String(repeating: "0", count: 6 - fraction.count))Z") else { return nil }
        self = ts
    }
}
