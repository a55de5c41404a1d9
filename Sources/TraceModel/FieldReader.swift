/// Reads typed fields out of a JSON object, naming the full path of any field that is wrong.
public struct FieldReader: Sendable {
    public let object: [String: JSONValue]
    public let path: String

    public init(_ object: [String: JSONValue], path: String) {
        self.object = object
        self.path = path
    }

    public func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func fail(_ key: String, _ reason: String) -> EventDecodingError {
        EventDecodingError(field: fieldPath(key), reason: reason)
    }

    func value(_ key: String, required: Bool) throws(EventDecodingError) -> JSONValue? {
        guard let value = object[key] else {
            if required { throw fail(key, "required field is missing") }
            return nil
        }
        return value
    }

    func typeError(_ key: String, expected: String, got: JSONValue) -> EventDecodingError {
        fail(key, "expected \(expected), got \(got.typeName)")
    }

    public func string(_ key: String, required: Bool = false, minLength: Int = 0) throws(EventDecodingError) -> String? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .string(let s) = v else { throw typeError(key, expected: "string", got: v) }
        if s.utf8.count < minLength { throw fail(key, minLength == 1 ? "must not be empty" : "shorter than \(minLength) bytes") }
        return s
    }

    public func oneOf(_ key: String, _ allowed: [String], required: Bool = false) throws(EventDecodingError) -> String? {
        guard let s = try string(key, required: required) else { return nil }
        guard allowed.contains(s) else { throw fail(key, "\"\(s)\" is not one of \(allowed.joined(separator: ", "))") }
        return s
    }

    public func integer(_ key: String, required: Bool = false, min: Int64 = .min, max: Int64 = .max) throws(EventDecodingError) -> Int64? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .number(let n) = v, n.isInteger else { throw typeError(key, expected: "integer", got: v) }
        guard let i = n.int64Value else { throw fail(key, "integer \(n.literal) is out of range") }
        if i < min { throw fail(key, "must be at least \(min), got \(i)") }
        if i > max { throw fail(key, "must be at most \(max), got \(i)") }
        return i
    }

    public func number(_ key: String, required: Bool = false, min: Double? = nil) throws(EventDecodingError) -> Double? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .number(let n) = v else { throw typeError(key, expected: "number", got: v) }
        let d = n.doubleValue
        if let min, d < min { throw fail(key, "must be at least \(min), got \(n.literal)") }
        return d
    }

    public func bool(_ key: String, required: Bool = false) throws(EventDecodingError) -> Bool? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .bool(let b) = v else { throw typeError(key, expected: "boolean", got: v) }
        return b
    }

    public func digest(_ key: String, required: Bool = false, nullable: Bool = false) throws(EventDecodingError) -> Digest? {
        guard let v = try value(key, required: required) else { return nil }
        if nullable, v.isNull { return nil }
        guard case .string(let s) = v else { throw typeError(key, expected: "digest string", got: v) }
        guard let d = Digest(s) else { throw fail(key, "\"\(s.prefix(80))\" is not a digest of the form sha256:<64 lowercase hex>") }
        return d
    }

    public func sessionID(_ key: String, required: Bool = false) throws(EventDecodingError) -> SessionID? {
        guard let s = try string(key, required: required) else { return nil }
        guard let id = SessionID(s) else { throw fail(key, "\"\(s.prefix(80))\" is not a ULID (26 Crockford base32 characters, uppercase)") }
        return id
    }

    public func stringArray(_ key: String, required: Bool = false, minItems: Int = 0) throws(EventDecodingError) -> [String]? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .array(let items) = v else { throw typeError(key, expected: "array of strings", got: v) }
        if items.count < minItems { throw fail(key, "must have at least \(minItems) item\(minItems == 1 ? "" : "s")") }
        var out: [String] = []
        out.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else { throw typeError("\(key)[\(i)]", expected: "string", got: item) }
            out.append(s)
        }
        return out
    }

    /// An object whose values are strings (or null when `allowNull`, meaning "unset").
    public func stringMap(_ key: String, required: Bool = false, allowNull: Bool = false) throws(EventDecodingError) -> [String: String?]? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .object(let o) = v else { throw typeError(key, expected: "object", got: v) }
        var out: [String: String?] = [:]
        for (k, item) in o {
            switch item {
            case .string(let s): out[k] = .some(s)
            case .null where allowNull: out[k] = .some(nil)
            default: throw typeError("\(key).\(k)", expected: allowNull ? "string or null" : "string", got: item)
            }
        }
        return out
    }

    public func object(_ key: String, required: Bool = false) throws(EventDecodingError) -> FieldReader? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .object(let o) = v else { throw typeError(key, expected: "object", got: v) }
        return FieldReader(o, path: fieldPath(key))
    }

    public func array(_ key: String, required: Bool = false) throws(EventDecodingError) -> [JSONValue]? {
        guard let v = try value(key, required: required) else { return nil }
        guard case .array(let a) = v else { throw typeError(key, expected: "array", got: v) }
        return a
    }
}
