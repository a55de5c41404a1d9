import TraceModel

/// A store failure that is not SQLite's own: bad arguments, damaged stored data, a newer schema.
public struct StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A session-list cursor that this store did not hand out.
        case invalidCursor = "invalid_cursor"
        /// An argument out of range (for example a seq above 2^53 − 1).
        case invalidArgument = "invalid_argument"
        /// Stored bytes do not decode or do not match their digest.
        case corrupt
        /// The database was migrated by a newer version.
        case newerSchema = "newer_schema"
    }

    public var code: Code
    public var message: String
    public var session: SessionID?
    public var seq: UInt64?

    public init(_ code: Code, _ message: String, session: SessionID? = nil, seq: UInt64? = nil) {
        self.code = code
        self.message = message
        self.session = session
        self.seq = seq
    }

    public var description: String {
        var out = "store \(code.rawValue): \(message)"
        if let session { out += " [session \(session)" + (seq.map { " seq \($0)" } ?? "") + "]" }
        return out
    }
}
