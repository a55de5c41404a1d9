import CLIKit
import Collector
import Foundation
import TraceModel
import TraceStore

/// `parallax collector serve|token create`: run the central service and issue its tokens.
enum CollectorVerb {
    static let verb = Verb(
        name: "collector",
        summary: "run the collector (HTTP ingest and query API) or create its tokens",
        help: """
        Usage: parallax collector serve --db FILE [--listen ADDR:PORT] [--tls-cert F --tls-key F]
                                        [--retain-days N] [--rate-limit N] [--max-queue N] [--insecure-no-auth]
               parallax collector token create --db FILE --project P --role ingest|read|admin [--name NAME] [--json]

        serve: the central service every recorder streams to (schemas/wire.md). Listens on
        127.0.0.1:7437 unless --listen says otherwise (use 0.0.0.0:7437 for every interface and
        port 0 for any free port; the bound address is printed). Requests need a bearer token:
        ingest tokens may POST /v1/events and upload blobs, read tokens may query, admin tokens may
        do both and read /metrics. A token only sees the sessions of its own project; another
        project's session answers 404. Batches are acknowledged only once durably committed.
        SIGTERM or SIGINT stops accepting, finishes in-flight batches, checkpoints the WAL and
        exits 0.

        token create: prints a new token once (only its SHA-256 is stored). Keep it secret.

        Options:
          --db FILE              the SQLite store (created when missing; default $PARALLAX_DB)
          --listen ADDR:PORT     address to bind (default 127.0.0.1:7437)
          --tls-cert F, --tls-key F   serve HTTPS with this PEM certificate and key
          --retain-days N        delete sessions (and blobs only they used) older than N days, hourly
          --rate-limit N         requests per second per token before 429 (default 500)
          --max-queue N          events waiting for a commit before 503 (default 200000)
          --insecure-no-auth     accept requests without tokens — loopback addresses only, for tests
          --project P, --role R, --name NAME   for token create

        Exit codes: 0 stopped cleanly / token created; 2 usage; 4 cannot bind, open the store or read TLS files.

        Examples:
          parallax collector token create --db /var/lib/parallax/fleet.sqlite --project payments --role ingest
          parallax collector serve --db /var/lib/parallax/fleet.sqlite --listen 0.0.0.0:7437 --retain-days 90
        """,
        spec: ArgumentSpec(flags: ["json", "insecure-no-auth"],
                           options: ["db", "listen", "tls-cert", "tls-key", "retain-days", "rate-limit", "max-queue", "project", "role", "name"],
                           positionals: (1, 2), positionalName: "serve or token create"),
        run: run)

    static func run(_ args: Arguments, _ console: Console) throws -> ExitCode {
        switch args.positionals {
        case ["serve"]: return try serve(args, console)
        case ["token", "create"]: return try createToken(args, console)
        default: throw UsageError("collector: expected serve or token create, got \"\(args.positionals.joined(separator: " "))\"")
        }
    }

    static func createToken(_ args: Arguments, _ console: Console) throws -> ExitCode {
        guard let project = args.option("project") else { throw UsageError("collector token create: --project is required") }
        guard let roleText = args.option("role"), let role = TokenRole(rawValue: roleText) else {
            throw UsageError("collector token create: --role must be ingest, read or admin")
        }
        let store = try StoreAccess.open(args, verb: "collector", create: true)
        let issued = try store.createToken(project: project, role: role, name: args.option("name"))
        if args.flag("json") {
            console.print(JSONValue.object(["id": .number(JSONNumber(issued.id)), "token": .string(issued.token),
                                            "project": .string(issued.project), "role": .string(issued.role.rawValue)]).canonicalString)
        } else {
            console.print(issued.token)
            console.error("collector: token \(issued.id) for project \"\(project)\" with role \(role.rawValue); it is shown only now")
        }
        return .ok
    }

    static func parseListen(_ text: String) throws(UsageError) -> (String, UInt16) {
        guard let colon = text.lastIndex(of: ":"), let port = UInt16(text[text.index(after: colon)...]) else {
            throw UsageError("collector: --listen must be ADDR:PORT, like 127.0.0.1:7437, got \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host.isEmpty ? "0.0.0.0" : host, port)
    }

    static func serve(_ args: Arguments, _ console: Console) throws -> ExitCode {
        var configuration = CollectorConfiguration()
        if let listen = args.option("listen") { (configuration.host, configuration.port) = try parseListen(listen) }
        configuration.tlsCertificate = args.option("tls-cert")
        configuration.tlsKey = args.option("tls-key")
        configuration.retainDays = try args.integer("retain-days", range: 1...36500, verb: "collector")
        if let rate = try args.integer("rate-limit", range: 1...1_000_000, verb: "collector") {
            configuration.requestsPerSecond = Double(rate)
            configuration.burst = Double(rate) * 2
        }
        if let queue = try args.integer("max-queue", range: 1000...100_000_000, verb: "collector") { configuration.maxQueuedEvents = queue }
        configuration.insecureNoAuth = args.flag("insecure-no-auth")
        if configuration.insecureNoAuth, !configuration.isLoopback {
            throw UsageError("collector: --insecure-no-auth is only allowed with a loopback --listen address (127.0.0.1 or ::1)")
        }
        let store = try StoreAccess.open(args, verb: "collector", create: true)
        let server: CollectorServer
        do {
            server = try CollectorServer(store: store, configuration: configuration, log: { console.error($0) })
            try server.start()
        } catch {
            throw CommandFailure(.failure, "\(error)")
        }
        let scheme = configuration.tlsCertificate == nil ? "http" : "https"
        if configuration.insecureNoAuth {
            console.error("collector: WARNING: --insecure-no-auth: anyone who can reach \(configuration.host) may write and read every session")
        }
        console.error("collector: listening on \(scheme)://\(configuration.host):\(server.port) (store \(store.path))")
        console.print("\(scheme)://\(configuration.host):\(server.port)")
        console.flush()
        server.runUntilSignalled()
        return .ok
    }
}
