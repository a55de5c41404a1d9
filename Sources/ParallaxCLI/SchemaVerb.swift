import CLIKit
import Foundation
import TraceModel
import TraceWire

/// `parallax schema validate FILE…`: check events against the v1 contract without storing them.
enum SchemaVerb {
    static let verb = Verb(
        name: "schema",
        summary: "validate event files against the v1 event contract",
        help: """
        Usage: parallax schema validate FILE… [--json]

        Checks that each FILE holds valid v1 events — the same rules as schemas/event.schema.json
        plus those JSON Schema cannot state (cause must point to an earlier seq; integers written
        without a fraction). A FILE is either one JSON event (it may be pretty-printed) or NDJSON,
        one event per line, plain or zstd-compressed. Each problem is printed as
        FILE:LINE: FIELD: REASON, where FIELD is a path such as data.argv[1].

        Options:
          --json     {"files":[{"file","events","errors":[{"line","field","reason"}]}]}

        Exit codes: 0 every event valid; 1 some invalid; 2 usage; 3 a FILE is missing; 4 unreadable input.

        Example:
          parallax schema validate schemas/examples/valid/*.json
        """,
        spec: ArgumentSpec(flags: ["json"], options: [], positionals: (2, nil), positionalName: "validate FILE"),
        run: run)

    struct FileResult {
        var file: String
        var events = 0
        var errors: [(line: Int, field: String?, reason: String)] = []
    }

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        guard args.positionals[0] == "validate" else {
            throw UsageError("schema: unknown action \"\(args.positionals[0])\" (the action is: validate)")
        }
        var results: [FileResult] = []
        for file in args.positionals.dropFirst() {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CommandFailure(FileManager.default.fileExists(atPath: file) ? .failure : .notFound, "cannot read \(file)")
            }
            var bytes = [UInt8](data)
            var result = FileResult(file: file)
            if Zstd.looksCompressed(bytes) {
                do { bytes = try Zstd.decompress(bytes, limits: ZstdLimits(maxDecompressedBytes: 1 << 30, maxWindowLog: 27)) } catch {
                    throw CommandFailure(.failure, "\(file): \(error)")
                }
            }
            // One JSON document (possibly pretty-printed) or NDJSON.
            if let whole = try? JSONParser.parse(bytes), case .object = whole {
                do {
                    _ = try Event(json: whole)
                    result.events = 1
                } catch {
                    result.errors.append((1, error.field, error.reason))
                }
            } else {
                let decoded = NDJSONBatch.decodeLines(bytes) { slice in try Event.decode(slice) }
                result.events = decoded.lines.count
                for e in decoded.errors {
                    // Reasons from the event decoder start with the field path.
                    let parts = e.reason.split(separator: ":", maxSplits: 1)
                    let looksLikeField = parts.count == 2 && !parts[0].contains(" ")
                    result.errors.append((e.line, looksLikeField ? String(parts[0]) : nil,
                                          looksLikeField ? String(parts[1].dropFirst()) : e.reason))
                }
            }
            results.append(result)
        }
        let invalid = results.contains { !$0.errors.isEmpty }
        if args.flag("json") {
            console.print(JSONValue.object(["files": .array(results.map { r in
                .object(["file": .string(r.file), "events": JSONOut.int(r.events), "errors": .array(r.errors.map { e in
                    .object(["line": JSONOut.int(e.line), "field": JSONOut.string(e.field), "reason": .string(e.reason)])
                })])
            })]).canonicalString)
        } else {
            for r in results {
                for e in r.errors { console.print("\(r.file):\(e.line): \(e.field.map { $0 + ": " } ?? "")\(e.reason)") }
                if r.errors.isEmpty { console.print("\(r.file): \(r.events) valid event\(r.events == 1 ? "" : "s")") }
            }
        }
        return invalid ? .problems : .ok
    }
}
