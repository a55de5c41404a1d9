import CLIKit
import Foundation
import Shipper
import TraceModel
import TraceStore
import TraceWire

/// What one delivered batch came to.
struct SinkResult {
    var accepted = 0
    var duplicates = 0
    var conflicts: [AppendConflict] = []
    /// Events refused by the receiver, with the file line they came from.
    var rejected: [LineError] = []
}

/// Where `parallax ingest` puts decoded events.
protocol EventSink {
    /// `lines[i]` is the input line of `events[i]`.
    func deliver(_ events: [Event], lines: [Int]) throws -> SinkResult
}

/// A local store, project "".
struct StoreSink: EventSink {
    let store: SQLiteStore

    func deliver(_ events: [Event], lines: [Int]) throws -> SinkResult {
        let result: AppendResult
        do {
            result = try store.append(events)
        } catch {
            throw CommandFailure(.failure, "the store refused a batch: \(error)")
        }
        return SinkResult(accepted: result.accepted, duplicates: result.duplicates, conflicts: result.conflicts)
    }
}

/// A collector: one zstd NDJSON request per batch, retried on 429/503 and network errors.
struct CollectorSink: EventSink {
    let client: CollectorClient
    let console: Console
    var maxAttempts = 8

    func deliver(_ events: [Event], lines: [Int]) throws -> SinkResult {
        let body = NDJSONBatch.encodeCompressed(events, level: 3)
        var delay = 0.25
        for attempt in 1...maxAttempts {
            let response: CollectorClient.Response
            do {
                response = try client.request("POST", "/v1/events", headers: [("Content-Type", "application/x-ndjson"), ("Content-Encoding", "zstd")], body: body)
            } catch {
                if attempt == maxAttempts { throw CommandFailure(.failure, "\(error)") }
                console.error("ingest: \(error); retrying in \(delay) s")
                Thread.sleep(forTimeInterval: delay)  // backoff between attempts, not synchronization
                delay = min(delay * 2, 10)
                continue
            }
            switch response.status {
            case 200:
                return try Self.parse(response.body, lines: lines)
            case 429, 503:
                let wait = response.headers["retry-after"].flatMap(Double.init) ?? delay
                if attempt == maxAttempts { break }
                console.error("ingest: the collector answered \(response.status); retrying in \(wait) s")
                Thread.sleep(forTimeInterval: wait)  // the collector asked for this pause
                delay = min(delay * 2, 10)
            default:
                let reply = try? JSONParser.parse(response.body)
            let message = reply?["message"]?.stringValue ?? reply?["error"]?.stringValue ?? response.text
                throw CommandFailure(.failure, "the collector refused a batch (\(response.status)): \(message)")
            }
        }
        throw CommandFailure(.failure, "the collector stayed busy after \(maxAttempts) attempts")
    }

    /// Maps the reply's batch line numbers back to the input file's.
    static func parse(_ body: [UInt8], lines: [Int]) throws -> SinkResult {
        guard let reply = try? JSONParser.parse(body) else { throw CommandFailure(.failure, "the collector's reply is not JSON") }
        func fileLine(_ value: JSONValue?) -> Int {
            guard let n = value?.int64Value, n >= 1, Int(n) <= lines.count else { return 0 }
            return lines[Int(n) - 1]
        }
        var result = SinkResult()
        result.accepted = Int(reply["accepted"]?.int64Value ?? 0)
        result.duplicates = Int(reply["duplicates"]?.int64Value ?? 0)
        for c in reply["conflicts"]?.arrayValue ?? [] {
            if let session = c["session"]?.stringValue.flatMap(SessionID.init), let seq = c["seq"]?.int64Value {
                result.conflicts.append(AppendConflict(session: session, seq: UInt64(seq)))
            }
        }
        for r in reply["rejected"]?.arrayValue ?? [] {
            result.rejected.append(LineError(line: fileLine(r["line"]), offset: 0, reason: r["reason"]?.stringValue ?? "rejected"))
        }
        return result
    }
}
