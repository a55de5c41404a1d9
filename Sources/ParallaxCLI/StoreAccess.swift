import CLIKit
import Foundation
import TraceModel
import TraceStore

/// Finds and opens the store a verb works on: `--db FILE`, else `PARALLAX_DB`.
enum StoreAccess {

    static func path(_ args: Arguments, verb: String) throws(UsageError) -> String {
        if let path = args.option("db") { return path }
        if let env = ProcessInfo.processInfo.environment["PARALLAX_DB"], !env.isEmpty { return env }
        throw UsageError("\(verb): no store given: pass --db FILE (or --collector URL --token T where the verb takes it), or set PARALLAX_DB")
    }

    /// Opens the store; read verbs never create one.
    static func open(_ args: Arguments, verb: String, create: Bool) throws -> SQLiteStore {
        let path = try path(args, verb: verb)
        if !create, !FileManager.default.fileExists(atPath: path) {
            throw CommandFailure(.notFound, "no store at \(path) (ingest events first: parallax ingest FILE --db \(path))")
        }
        do {
            return try SQLiteStore(path: path)
        } catch {
            throw CommandFailure(.failure, "cannot open the store at \(path): \(error)")
        }
    }

    static func sessionID(_ text: String, verb: String) throws(UsageError) -> SessionID {
        guard let id = SessionID(text.uppercased()) else {
            throw UsageError("\(verb): \"\(text)\" is not a session id (a 26-character ULID, as printed by parallax sessions)")
        }
        return id
    }
}

/// Minimal JSON output helpers for `--json`.
enum JSONOut {
    static func string(_ s: String?) -> JSONValue { s.map(JSONValue.string) ?? .null }
    static func int(_ i: Int64?) -> JSONValue { i.map { .number(JSONNumber($0)) } ?? .null }
    static func int(_ i: Int) -> JSONValue { .number(JSONNumber(i)) }
}
