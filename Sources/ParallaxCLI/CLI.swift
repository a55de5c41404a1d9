import AgentCLI
import CLIKit
import TraceModel

/// The `parallax` command line. `main.swift` only calls `CLI.run`; everything else lives here so
/// tests can drive every verb in-process.
public enum CLI {
    public static let version = "0.1.0"

    static let verbs: [Verb] = [
        IngestVerb.verb, SessionsVerb.verb, EventsVerb.verb, VerifyVerb.verb, SchemaVerb.verb, CollectorVerb.verb, GenerateVerb.verb,
        RecordVerb.verb, ShipVerb.verb, ReplayVerb.verb, GapVerb.verb, CompareVerb.verb,
    ] + AgentCLI.verbs

    static var overview: String {
        let width = verbs.map(\.name.count).max() ?? 0
        let list = verbs.map { "  \($0.name.padding(toLength: width, withPad: " ", startingAt: 0))  \($0.summary)" }.joined(separator: "\n")
        return """
        parallax \(version) — record, store, verify and replay what AI agents do.

        Usage: parallax <verb> [options] [arguments]
               parallax <verb> --help     help for one verb
               parallax --version

        Verbs:
        \(list)

        The store: verbs that read or write sessions take --db FILE (an SQLite file; created by
        ingest when missing) or read PARALLAX_DB from the environment.

        Output: read verbs print a table for people and take --json for scripts (one JSON document,
        or NDJSON for event streams). Progress and diagnostics go to standard error.

        Exit codes:
          0  done, nothing wrong
          1  done, but problems were found (rejected lines, conflicts, a broken chain, invalid files)
          2  the command line was wrong
          3  a named session or file does not exist
          4  the work could not be done (unreadable input, store or I/O failure)

        Example, from nothing to a verified session:
          parallax generate --sessions 3 -o demo.ndjson
          parallax ingest demo.ndjson --db demo.sqlite
          parallax sessions --db demo.sqlite
          parallax verify <SESSION> --db demo.sqlite
        """
    }

    /// Runs one command line (without the program name) and returns the process exit code.
    public static func run(_ args: [String], console: Console) -> Int32 {
        defer { console.flush() }
        guard let first = args.first else {
            console.print(overview)
            return ExitCode.usage.rawValue
        }
        switch first {
        case "--help", "-h", "help":
            if args.count > 1, let verb = verbs.first(where: { $0.name == args[1] }) {
                console.print(verb.help)
            } else {
                console.print(overview)
            }
            return ExitCode.ok.rawValue
        case "--version", "version":
            console.print("parallax \(version) (event schema v\(Event.schemaVersion))")
            return ExitCode.ok.rawValue
        default:
            break
        }
        guard let verb = verbs.first(where: { $0.name == first }) else {
            console.error("parallax: unknown verb \"\(first)\". Verbs: \(verbs.map(\.name).joined(separator: ", ")). See parallax --help.")
            return ExitCode.usage.rawValue
        }
        return verb.execute(Array(args.dropFirst()), console: console)
    }
}
