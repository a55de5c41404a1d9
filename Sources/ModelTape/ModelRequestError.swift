/// Why a model request body cannot be canonicalized, and where.
public struct ModelRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable {
        /// The body is not one JSON document (see `offset`).
        case invalidJSON = "invalid_json"
        /// The body is JSON but not an object.
        case notAnObject = "not_an_object"
        /// A field the API defines has the wrong type (see `field`).
        case invalidField = "invalid_field"
    }

    public var code: Code
    public var api: ModelAPI
    /// Byte offset into the body, for `invalidJSON`.
    public var offset: Int?
    /// The field involved, e.g. `model`.
    public var field: String?
    public var message: String

    public init(code: Code, api: ModelAPI, offset: Int? = nil, field: String? = nil, message: String) {
        self.code = code
        self.api = api
        self.offset = offset
        self.field = field
        self.message = message
    }

    public var description: String {
        var text = "\(api.path) request body: \(message)"
        if let field { text += " (field \(field))" }
        if let offset, !message.contains("byte \(offset)") { text += " (byte \(offset))" }
        return text
    }
}
