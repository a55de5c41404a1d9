/// A JSON value that keeps number literals exactly as written, so re-encoding an event
/// yields the same canonical bytes the recorder hashed.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number as its literal text (already validated against the JSON number grammar).
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])
}

/// A JSON number literal. Equality is textual: `1` and `1.0` differ, as they do in canonical bytes.
public struct JSONNumber: Sendable, Hashable, CustomStringConvertible {
    public let literal: String

    /// Wraps a literal the parser has validated.
    init(validatedLiteral: String) { self.literal = validatedLiteral }

    public init(_ value: Int64) { literal = String(value) }
    public init(_ value: Int) { literal = String(value) }
    public init(_ value: UInt64) { literal = String(value) }
    /// Finite doubles only; integral values are written without a fraction.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if value == value.rounded(), abs(value) < 9.007199254740992e15 {
            literal = String(Int64(value))
        } else {
            literal = "\(value)"
        }
    }

    /// True when the literal has no fraction or exponent.
    public var isInteger: Bool { !literal.utf8.contains { $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") } }
    public var int64Value: Int64? { isInteger ? Int64(literal) : nil }
    public var uint64Value: UInt64? { isInteger ? UInt64(literal) : nil }
    public var doubleValue: Double { Double(literal) ?? .nan }
    public var description: String { literal }
}

extension JSONValue {
    public var objectValue: [String: JSONValue]? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var numberValue: JSONNumber? { if case .number(let n) = self { return n } else { return nil } }
    public var int64Value: Int64? { numberValue?.int64Value }
    public var doubleValue: Double? { numberValue?.doubleValue }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The JSON type name used in error messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number(let n): n.isInteger ? "integer" : "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(JSONNumber(value)) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
    public init(nilLiteral: ()) { self = .null }
}
