import CLIKit
import Recorder
import TraceModel

/// `parallax emit`: one event from any script, through the recorder's socket or straight into the spool.
enum EmitVerb {
    static let verb = Verb(
        name: "emit",
        summary: "record one event in the running session (from any script or tool)",
        help: """
        Usage: parallax emit --kind KIND [--data JSON] [--actor ACTOR] [--cause SEQ] [--json]
                             [--socket PATH] [--session ID --spool DIR]

        Records one event in the current session. Under `parallax record` the session is found from
        the environment (PARALLAX_SOCKET, PARALLAX_SESSION, PARALLAX_SPOOL) and the event goes
        through the recorder's socket. When no recorder answers, the event is appended straight to
        the session in the spool (it must exist), so nothing is lost. Never touches the network.

        The data is validated against the kind's schema first; a wrong field is named and nothing
        is written.

        Options:
          --kind KIND      event kind, e.g. annotation, message, tool.call, net.request
          --data JSON      the kind's data object (default {})
          --actor ACTOR    agent (default), user, tool, system or recorder
          --cause SEQ      the seq of the event this one answers
          --socket PATH    the recorder's socket (default: $PARALLAX_SOCKET)
          --session ID     the session to append to without a recorder (default: $PARALLAX_SESSION)
          --spool DIR      the spool holding that session (default: $PARALLAX_SPOOL)
          --json           print {"session":…,"seq":…} instead of nothing

        Exit codes: 0 recorded, 2 bad arguments or data, 3 no such session, 4 nowhere to record.

        Examples:
          parallax emit --kind annotation --data '{"label":"tests green"}'
          parallax emit --kind tool.call --data '{"name":"search","input":{"q":"flaky test"}}' --json
        """,
        spec: ArgumentSpec(flags: ["json"], options: ["kind", "data", "actor", "cause", "socket", "session", "spool"]),
        run: run)

    static func run(_ arguments: Arguments, _ console: Console) throws -> ExitCode {
        let environment = ProcessEnvironment.current()
        let draft = try parseDraft(arguments)
        let socketPath = arguments.option("socket") ?? environment["PARALLAX_SOCKET"]
        let sessionText = arguments.option("session") ?? environment["PARALLAX_SESSION"]
        var socketFailure: String? = nil
        if let socketPath, !socketPath.isEmpty {
            do {
                let client = try RecorderSocketClient(path: socketPath)
                switch try client.send(.event(draft)) {
                case .ok(let seq):
                    report(session: sessionText, seq: seq, arguments, console)
                    return .ok
                case .failed(let message):
                    throw CommandFailure(.usage, "the recorder refused the event: \(message)")
                }
            } catch let error as RecorderSocketError {
                socketFailure = error.description
            }
        }
        guard let sessionText, let session = SessionID(sessionText) else {
            let why = socketFailure.map { "\($0); " } ?? ""
            throw CommandFailure(.failure, "\(why)no recorder to send to and no session to append to (run under parallax record, or give --session and --spool)")
        }
        guard let spoolPath = arguments.option("spool") ?? environment["PARALLAX_SPOOL"] else {
            throw CommandFailure(.failure, "no spool for session \(session) (give --spool DIR or set PARALLAX_SPOOL)")
        }
        let seq = try SpoolLocation.append([draft], session: session, spoolPath: spoolPath).last ?? 0
        report(session: sessionText, seq: seq, arguments, console)
        return .ok
    }

    static func parseDraft(_ arguments: Arguments) throws -> EventDraft {
        guard let kind = arguments.option("kind") else { throw UsageError("emit: --kind is required") }
        var object: [String: JSONValue] = ["kind": .string(kind), "actor": .string(arguments.option("actor") ?? "agent")]
        if let text = arguments.option("data") {
            do {
                object["data"] = try JSONParser.parse(Array(text.utf8))
            } catch {
                throw UsageError("emit: --data is not valid JSON: \(error.description)")
            }
        }
        if let cause = arguments.option("cause") {
            guard let value = UInt64(cause) else { throw UsageError("emit: --cause must be a seq (a non-negative integer), got \"\(cause)\"") }
            object["cause"] = .number(JSONNumber(value))
        }
        do {
            return try RecorderRequest.draft(FieldReader(object, path: ""))
        } catch {
            let field = error.field.map { $0.hasPrefix("data") ? $0 : "--\($0)" } ?? "event"
            throw UsageError("emit: \(field): \(error.reason)")
        }
    }

    static func report(session: String?, seq: UInt64, _ arguments: Arguments, _ console: Console) {
        guard arguments.flag("json") else { return }
        var object: [String: JSONValue] = ["seq": .number(JSONNumber(seq))]
        if let session { object["session"] = .string(session) }
        console.print(JSONValue.object(object).canonicalString)
    }
}
