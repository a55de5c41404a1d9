/// A spool file failure, with the file and (when relevant) the byte offset.
public struct SpoolError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// A system call failed; `errno` says why.
        case io
        /// A record in the middle of the segment is damaged while valid records follow it.
        case corrupt
        /// A spool file or name does not have the form the spool layout prescribes (an `acked` file
        /// that holds no seq, a record that is not an event, a session directory that is missing).
        case invalid
        /// The spool has no room for a record or blob, and its full policy cannot make any.
        case full
    }

    public var code: Code
    public var path: String
    public var offset: Int?
    public var message: String
    public var errno: Int32?

    public init(code: Code, path: String, offset: Int? = nil, message: String, errno: Int32? = nil) {
        self.code = code
        self.path = path
        self.offset = offset
        self.message = message
        self.errno = errno
    }

    public var description: String {
        var text = "spool \(code.rawValue) in \(path)"
        if let offset { text += " at byte \(offset)" }
        return text + ": " + message
    }
}
