import CLIKit
import Dispatch
import Foundation
import Recorder
import Shipper
import TraceModel

/// `parallax ship --spool DIR --collector URL… [--once | --follow]`: the per-worker daemon that drains
/// a spool into collectors.
enum ShipVerb {
    static let verb = Verb(
        name: "ship",
        summary: "send a worker's spool (events and blobs) to one or more collectors",
        help: """
        Usage: parallax ship --spool DIR --collector URL [--collector URL2 …] [--token T] [--once | --follow] [--json]

        Sends what recorders wrote to the spool DIR to a collector: first the blobs (HEAD, and PUT
        when the collector lacks one), then each session's events after its acked watermark, in
        zstd NDJSON batches (up to 1000 events or 4 MiB). The collector's `acked` reply moves the
        watermark; acknowledged segments, finished sessions and uploaded blobs leave the spool.
        Sending twice is harmless: the collector stores each (session, seq) once.

        A session a recorder left behind (killed mid-write) is repaired first: its torn tail is cut
        and a recorder.notice says so. Connection errors, timeouts and 5xx answers are retried
        with exponential backoff and jitter; 429 and 503 are retried no sooner than their
        Retry-After. With several --collector URLs, a URL that fails is set aside for its backoff and
        the next one is used; the last URL that answered stays first.

        Events the collector rejects (invalid lines) are reported with their seq and reason. They
        stay in the spool and are not sent again; the session's watermark stops before the first one.

        --once (the default) makes one pass and exits; --follow keeps shipping new events as they
        are written until SIGINT or SIGTERM.

        Options:
          --spool DIR         the spool (default: $PARALLAX_SPOOL)
          --collector URL     a collector base URL, e.g. https://collector:7437; repeat for failover
                              (default: $PARALLAX_COLLECTOR, URLs separated by commas)
          --token T           an ingest token (default: $PARALLAX_TOKEN). A token is never sent over
                              plain http:// except to a loopback address.
          --once              one pass, then exit (default)
          --follow            ship continuously until stopped
          --batch N           events per request (default 1000)
          --timeout SECONDS   per request (default 30)
          --json              print the report as JSON (with --follow: one line per pass that did something)

        Exit codes: 0 everything was delivered (or --follow was stopped); 1 some events were rejected
        or conflict with stored ones, or a blob an event names is missing everywhere; 2 usage;
        3 no spool at DIR; 4 could not deliver (no collector reachable, the token refused, a
        malformed reply, an unreadable spool) — what was not delivered stays in the spool.

        Examples:
          parallax ship --spool /var/spool/parallax --collector https://collector:7437 --token "$TOKEN"
          parallax ship --spool /var/spool/parallax --collector https://c1:7437 --collector https://c2:7437 --follow
          PARALLAX_TOKEN=px_… parallax ship --spool ./spool --collector http://127.0.0.1:7437 --once --json
        """,
        spec: ArgumentSpec(flags: ["once", "follow", "json"], options: ["spool", "collector", "token", "batch", "timeout"],
                           multiple: ["collector"]),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        let shipper = try makeShipper(args)
        if args.flag("follow") { return follow(shipper, json: args.flag("json"), console: console) }
        let report = shipper.shipOnce()
        print(report, json: args.flag("json"), console: console, quietWhenIdle: false)
        for error in report.errors { console.error("ship: \(error)") }
        return exitCode(report)
    }

    static func makeShipper(_ args: Arguments) throws -> Shipper {
        let environment = ProcessInfo.processInfo.environment
        if args.flag("once") && args.flag("follow") { throw UsageError("ship: give --once or --follow, not both") }
        guard let path = args.option("spool") ?? environment["PARALLAX_SPOOL"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            throw UsageError("ship: --spool DIR is required (or set PARALLAX_SPOOL)")
        }
        var urls = args.all("collector")
        if urls.isEmpty, let listed = environment["PARALLAX_COLLECTOR"] {
            urls = listed.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        guard !urls.isEmpty else { throw UsageError("ship: --collector URL is required (or set PARALLAX_COLLECTOR)") }
        var configuration = ShipperConfiguration(collectors: urls, token: ShipperConfiguration.token(explicit: args.option("token"), environment: environment))
        configuration.maxBatchEvents = try args.integer("batch", range: 1...100_000, verb: "ship") ?? configuration.maxBatchEvents
        configuration.requestTimeout = Double(try args.integer("timeout", range: 1...3600, verb: "ship") ?? Int(configuration.requestTimeout))
        do {
            try configuration.validate()
        } catch {
            throw UsageError("ship: \(error.message)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path + "/sessions", isDirectory: &isDirectory), isDirectory.boolValue else {
            throw CommandFailure(.notFound, "no spool at \(path) (it has no sessions/ directory)")
        }
        let spool: Spool
        do {
            spool = try Spool(path: path)
        } catch {
            throw CommandFailure(.failure, "cannot open the spool: \(error)")
        }
        return try Shipper(spool: spool, configuration: configuration)
    }

    static func exitCode(_ report: ShipReport) -> ExitCode {
        if !report.errors.isEmpty { return .failure }
        if report.hasRejections || !report.blobProblems.isEmpty { return .problems }
        return .ok
    }

    static func print(_ report: ShipReport, json: Bool, console: Console, quietWhenIdle: Bool) {
        let busy = report.eventsSent > 0 || report.blobsUploaded > 0 || !report.blobProblems.isEmpty
            || report.sessions.contains { $0.recovery != nil }
        if quietWhenIdle && !busy { return }
        if json {
            console.print(report.json.canonicalString)
        } else {
            let lines = report.lines
            if lines.isEmpty && report.errors.isEmpty { console.print("nothing to ship") }
            for line in lines { console.print(line) }
        }
        console.flush()
    }

    /// Ships until SIGINT or SIGTERM. Errors are told when they change, not on every retry.
    static func follow(_ shipper: Shipper, json: Bool, console: Console) -> ExitCode {
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let control = ShipperSignal()
        let queue = DispatchQueue(label: "parallax.ship.signals")
        let sources = [SIGINT, SIGTERM].map { number -> DispatchSourceSignal in
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { control.stop() }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        console.error("ship: following \(shipper.spool.path) → \(shipper.configuration.collectors.joined(separator: ", ")); SIGINT or SIGTERM stops")
        var lastErrors: [String] = []
        var toldRejections: Set<String> = []
        var sawRejections = false
        shipper.follow(signal: control) { report in
            let errors = report.errors.map(\.description)
            if errors != lastErrors {
                if errors.isEmpty { console.error("ship: delivering again") }
                for error in errors { console.error("ship: \(error)") }
                lastErrors = errors
            }
            // A rejection stays in every report; tell it once.
            var fresh = false
            for session in report.sessions {
                for rejected in session.rejected where toldRejections.insert("\(session.session)/\(rejected.seq)").inserted { fresh = true }
            }
            sawRejections = sawRejections || report.hasRejections
            if fresh {
                print(report, json: json, console: console, quietWhenIdle: false)
            } else {
                print(report, json: json, console: console, quietWhenIdle: true)
            }
        }
        console.error("ship: stopped")
        return sawRejections ? .problems : .ok
    }
}
