import CLIKit
import Collector
import Foundation
import TraceModel
import TraceStore
import TraceWire

/// `parallax ingest FILE… --db DB | --collector URL --token T`: NDJSON event files (plain or zstd)
/// into a local store or a collector.
enum IngestVerb {
    static let verb = Verb(
        name: "ingest",
        summary: "store NDJSON event files (plain or .zst) locally or send them to a collector",
        help: """
        Usage: parallax ingest FILE… (--db DB | --collector URL --token T) [--batch N] [--max-line-bytes N] [--json]

        Reads events, one JSON object per line, from each FILE (plain NDJSON or zstd-compressed,
        detected from the content; "-" reads standard input) and appends them to the local store,
        which is created when missing — or, with --collector, posts them to a collector in zstd
        batches (retrying 429/503 answers and network errors, honoring Retry-After). Appending is idempotent on (session, seq): the same event twice is
        counted as a duplicate; a different event with a used (session, seq) is a conflict — the
        first version is kept and the conflict is recorded for parallax verify.

        A bad line (invalid JSON or UTF-8, a wrong field, a line over the size limit) is reported
        with its file and line number and skipped; every valid line in the same file is stored.

        Options:
          --db FILE             the local SQLite store (default: $PARALLAX_DB)
          --collector URL       send to this collector instead (default: $PARALLAX_COLLECTOR)
          --token T             an ingest token for it (default: $PARALLAX_TOKEN)
          --batch N             events per store transaction or request (default 1000)
          --max-line-bytes N    longest accepted line (default 1048576)
          --max-bytes N         largest decompressed input per file (default 4294967296)
          --json                print the result as JSON

        Exit codes: 0 all stored; 1 some lines rejected or conflicting; 2 usage; 3 a FILE is missing;
        4 unreadable or corrupt input (such as truncated zstd), a store failure, or a collector that
        refused or could not be reached.

        Examples:
          parallax ingest traces/*.ndjson.zst --db fleet.sqlite
          zstdcat run.ndjson.zst | parallax ingest - --db fleet.sqlite --json
        """,
        spec: ArgumentSpec(flags: ["json"], options: ["db", "collector", "token", "batch", "max-line-bytes", "max-bytes"], positionals: (1, nil), positionalName: "FILE"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let batch = try args.integer("batch", range: 1...100_000, verb: "ingest") ?? 1000
        let maxLine = try args.integer("max-line-bytes", range: 64...(256 << 20), verb: "ingest") ?? NDJSONBatch.defaultMaxLineBytes
        let maxBytes = try args.integer("max-bytes", range: 1...Int.max, verb: "ingest") ?? (4 << 30)
        for file in args.positionals where file != "-" && !FileManager.default.fileExists(atPath: file) {
            throw CommandFailure(.notFound, "no such file: \(file)")
        }
        let sink: any EventSink
        if args.option("collector") != nil || (args.option("db") == nil && ProcessInfo.processInfo.environment["PARALLAX_COLLECTOR"] != nil) {
            guard case .remote(let client) = try DataSource.open(args, verb: "ingest") else { throw UsageError("ingest: give either --db or --collector") }
            sink = CollectorSink(client: client, console: console)
        } else {
            sink = StoreSink(store: try StoreAccess.open(args, verb: "ingest", create: true))
        }
        var reports: [IngestReport] = []
        var worst = ExitCode.ok
        for file in args.positionals {
            var ingest = FileIngest(sink: sink, batchSize: batch, maxLineBytes: maxLine, console: console, name: file)
            do {
                try ingest.run(path: file, maxBytes: maxBytes)
            } catch let error as CommandFailure {
                ingest.report.fatal = error.message
                worst = .failure
            }
            let report = ingest.report
            if report.fatal == nil, !report.rejected.isEmpty || !report.conflicts.isEmpty, worst == .ok { worst = .problems }
            reports.append(report)
            if !args.flag("json") {
                for line in report.rejected.prefix(50) { console.error("\(file):\(line.line): \(line.reason)") }
                if report.rejected.count > 50 { console.error("\(file): … and \(report.rejected.count - 50) more rejected lines") }
                for c in report.conflicts.prefix(50) { console.error("\(file): conflict: \(c.session) seq \(c.seq) already holds a different event (first version kept)") }
                if let fatal = report.fatal { console.error("\(file): \(fatal)") }
                console.print(report.summary)
            }
        }
        if args.flag("json") {
            let files: [JSONValue] = reports.map(\.json)
            console.print(JSONValue.object(["files": .array(files)]).canonicalString)
        }
        return worst
    }
}

/// What ingesting one file did.
struct IngestReport {
    var file: String
    var lines = 0
    var accepted = 0
    var duplicates = 0
    var rejected: [LineError] = []
    var conflicts: [AppendConflict] = []
    var sessions: Set<SessionID> = []
    var bytesRead = 0
    var fatal: String?

    var summary: String {
        var text = "\(file): \(accepted) stored, \(duplicates) duplicate, \(rejected.count) rejected, \(conflicts.count) conflicting in \(sessions.count) session\(sessions.count == 1 ? "" : "s")"
        if fatal != nil { text += " (stopped early)" }
        return text
    }

    var json: JSONValue {
        .object([
            "file": .string(file), "accepted": JSONOut.int(accepted), "duplicates": JSONOut.int(duplicates),
            "rejected": .array(rejected.map { .object(["line": JSONOut.int($0.line), "reason": .string($0.reason)]) }),
            "conflicts": .array(conflicts.map { .object(["session": .string($0.session.string), "seq": .number(JSONNumber($0.seq))]) }),
            "sessions": JSONOut.int(sessions.count), "error": JSONOut.string(fatal),
        ])
    }
}

/// Streams one file through decompression, line splitting, decoding and batched appends, so
/// memory stays bounded by the batch size whatever the file size.
struct FileIngest {
    let sink: any EventSink
    let batchSize: Int
    let maxLineBytes: Int
    let console: Console
    var report: IngestReport
    private var pending: [Event] = []
    private var pendingLines: [Int] = []
    private var splitter: LineSplitter
    private var lastProgress = Timestamp.now()

    init(sink: any EventSink, batchSize: Int, maxLineBytes: Int, console: Console, name: String) {
        self.sink = sink
        self.batchSize = batchSize
        self.maxLineBytes = maxLineBytes
        self.console = console
        self.report = IngestReport(file: name)
        self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
    }

    mutating func run(path: String, maxBytes: Int) throws {
        let handle: FileHandle
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard let h = FileHandle(forReadingAtPath: path) else { throw CommandFailure(.notFound, "cannot open \(path)") }
            handle = h
        }
        defer { if path != "-" { try? handle.close() } }
        var decompressor: ZstdDecompressor? = nil
        var first = true
        var plainBytes = 0
        while true {
            let chunk = [UInt8](handle.readData(ofLength: 1 << 20))
            if chunk.isEmpty { break }
            report.bytesRead += chunk.count
            if first {
                first = false
                if Zstd.looksCompressed(chunk) {
                    decompressor = try ZstdDecompressor(limits: ZstdLimits(maxDecompressedBytes: maxBytes, maxWindowLog: 27))
                }
            }
            if let decompressor {
                var output: [UInt8] = []
                do {
                    try decompressor.feed(chunk, into: &output)
                } catch {
                    try consume(output)
                    try flush()
                    throw CommandFailure(.failure, "zstd input is damaged: \(error)")
                }
                try consume(output)
            } else {
                plainBytes += chunk.count
                if plainBytes > maxBytes { throw CommandFailure(.failure, "input is larger than --max-bytes \(maxBytes)") }
                try consume(chunk)
            }
            progress()
        }
        if let decompressor {
            do {
                try decompressor.finish()
            } catch {
                try consume(splitter.finish())
                try flush()
                throw CommandFailure(.failure, "zstd input is damaged: \(error) — the complete lines before the damage were stored")
            }
        }
        try consume(splitter.finish())
        try flush()
    }

    private mutating func consume(_ bytes: [UInt8]) throws {
        try consume(splitter.feed(bytes))
    }

    private mutating func consume(_ pieces: LineSplitter.Output) throws {
        report.rejected.append(contentsOf: pieces.errors)
        for region in pieces.regions {
            let decoded = NDJSONBatch.decode(region.bytes, maxLineBytes: maxLineBytes)
            report.lines += decoded.events.count + decoded.errors.count
            for error in decoded.errors {
                report.rejected.append(LineError(line: error.line + region.firstLine - 1, offset: error.offset + region.offset, reason: error.reason))
            }
            for line in decoded.events {
                pending.append(line.event)
                pendingLines.append(line.line + region.firstLine - 1)
                if pending.count >= batchSize { try flush() }
            }
        }
    }

    private mutating func flush() throws {
        guard !pending.isEmpty else { return }
        let result = try sink.deliver(pending, lines: pendingLines)
        for event in pending { report.sessions.insert(event.session) }
        report.accepted += result.accepted
        report.duplicates += result.duplicates
        report.conflicts.append(contentsOf: result.conflicts)
        report.rejected.append(contentsOf: result.rejected)
        report.rejected.sort { $0.line < $1.line }
        pending.removeAll(keepingCapacity: true)
        pendingLines.removeAll(keepingCapacity: true)
    }

    private mutating func progress() {
        let now = Timestamp.now()
        guard now.microseconds - lastProgress.microseconds > 1_000_000 else { return }
        lastProgress = now
        console.error("ingest: \(report.file): \(report.bytesRead >> 20) MiB read, \(report.accepted) events stored…")
    }
}
