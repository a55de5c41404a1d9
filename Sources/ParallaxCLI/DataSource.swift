import CLIKit
import Collector
import Foundation
import Shipper
import TraceModel
import TraceStore
import TraceWire

/// Where read verbs get their data: a local store (`--db`) or a collector (`--collector URL --token T`).
/// Both give the same JSON and NDJSON, so the verbs render one way.
enum DataSource {
    case local(SQLiteStore)
    case remote(CollectorClient)

    static let help = """
          --db FILE              a local SQLite store (default: $PARALLAX_DB)
          --collector URL        a collector instead, e.g. https://collector:7437 (default: $PARALLAX_COLLECTOR)
          --token T              its read token (default: $PARALLAX_TOKEN)
        """
    static let options: Set<String> = ["db", "collector", "token"]

    static func open(_ args: Arguments, verb: String) throws -> DataSource {
        let env = ProcessInfo.processInfo.environment
        let url = args.option("collector") ?? (args.option("db") == nil ? env["PARALLAX_COLLECTOR"].flatMap { $0.isEmpty ? nil : $0 } : nil)
        if let url {
            if args.option("db") != nil { throw UsageError("\(verb): give either --db or --collector, not both") }
            guard let token = args.option("token") ?? env["PARALLAX_TOKEN"], !token.isEmpty else {
                throw UsageError("\(verb): --collector needs a token: pass --token T or set PARALLAX_TOKEN")
            }
            do {
                return .remote(try CollectorClient(url: url, token: token))
            } catch {
                throw UsageError("\(verb): \(error)")
            }
        }
        return .local(try StoreAccess.open(args, verb: verb, create: false))
    }

    /// GETs a collector path and maps HTTP failures to exit codes with the server's message.
    static func get(_ client: CollectorClient, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = []) throws -> CollectorClient.Response {
        let response: CollectorClient.Response
        do {
            response = try client.request("GET", path, query: query, headers: headers)
        } catch {
            throw CommandFailure(.failure, "\(error)")
        }
        guard response.status == 200 else {
            let reply = try? JSONParser.parse(response.body)
            let message = reply?["message"]?.stringValue ?? reply?["error"]?.stringValue ?? response.text
            switch response.status {
            case 404: throw CommandFailure(.notFound, "the collector says: \(message)")
            case 400: throw CommandFailure(.usage, "the collector refused the request: \(message)")
            default: throw CommandFailure(.failure, "the collector answered \(response.status): \(message)")
            }
        }
        return response
    }

    func sessions(_ query: SessionQuery) throws -> JSONValue {
        switch self {
        case .local(let store):
            do {
                return try store.sessions(query).jsonValue
            } catch let error as StoreError {
                throw CommandFailure(.usage, "\(error)")
            }
        case .remote(let client):
            var items: [(String, String)] = []
            if let v = query.agent { items.append(("agent", v)) }
            if let v = query.task { items.append(("task", v)) }
            if let v = query.condition { items.append(("condition", v)) }
            if let v = query.worker { items.append(("worker", v)) }
            if let v = query.status { items.append(("status", v.rawValue)) }
            if let v = query.since { items.append(("since", v.rfc3339)) }
            if let v = query.until { items.append(("until", v.rfc3339)) }
            if let v = query.cursor { items.append(("cursor", v)) }
            items.append(("limit", String(query.limit)))
            let response = try Self.get(client, "/v1/sessions", query: items)
            return try Self.parse(response.body, what: "session list")
        }
    }

    /// The session's stored events (canonical bytes, one per element) in seq order.
    func eventLines(_ id: SessionID, seqs: ClosedRange<UInt64>, kinds: Set<EventKind>?, limit: Int?) throws -> [[UInt8]] {
        switch self {
        case .local(let store):
            guard try store.session(id, project: nil) != nil else { throw CommandFailure(.notFound, "no session \(id) in the store") }
            return try store.events(session: id, seqs: seqs, kinds: kinds, limit: limit).map(\.bytes)
        case .remote(let client):
            var items = [("from_seq", String(seqs.lowerBound)), ("to_seq", String(seqs.upperBound))]
            for kind in (kinds ?? []).sorted(by: { $0.rawValue < $1.rawValue }) { items.append(("kind", kind.rawValue)) }
            let response = try Self.get(client, "/v1/sessions/\(id)/events", query: items)
            let lines = response.body.split(separator: 0x0A).map(Array.init)
            return limit.map { Array(lines.prefix($0)) } ?? lines
        }
    }

    func verify(_ id: SessionID) throws -> JSONValue {
        switch self {
        case .local(let store):
            guard try store.session(id, project: nil) != nil else { throw CommandFailure(.notFound, "no session \(id) in the store") }
            return try VerifyReport.make(store: store, session: id).jsonValue
        case .remote(let client):
            return try Self.parse(try Self.get(client, "/v1/sessions/\(id)/verify").body, what: "verify report")
        }
    }

    static func parse(_ body: [UInt8], what: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(body)
        } catch {
            throw CommandFailure(.failure, "the collector sent an unreadable \(what): \(error)")
        }
    }
}
