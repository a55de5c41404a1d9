/// Why a demo agent command failed, with what was being done and the offending value or position.
public struct DemoAgentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }

    /// The first 120 characters of some text, quoted, for an error message.
    static func excerpt(_ text: String) -> String {
        let head = text.prefix(120)
        return "\"\(head)\(head.count < text.count ? "…" : "")\""
    }
}
