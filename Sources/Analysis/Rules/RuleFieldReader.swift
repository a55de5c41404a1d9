import TraceModel

/// Typed field access with errors that name the file, the rule and the field.
struct RuleFieldReader {
    let object: [String: JSONValue]
    let source: String
    let rule: String?
    let path: String

    func error(_ field: String, _ reason: String) -> RulesError {
        RulesError(source: source, rule: rule, field: path + field, reason: reason)
    }

    func allow(_ keys: Set<String>) throws(RulesError) {
        for key in object.keys.sorted() where !keys.contains(key) {
            throw error(key, "unknown field; allowed: \(keys.sorted().joined(separator: ", "))")
        }
    }

    func optionalString(_ key: String) throws(RulesError) -> String? {
        guard let v = object[key] else { return nil }
        guard let s = v.stringValue else { throw error(key, "must be a string, not \(v.typeName)") }
        return s
    }

    func string(_ key: String) throws(RulesError) -> String {
        guard let s = try optionalString(key) else { throw error(key, "is required") }
        return s
    }

    func identifier(_ key: String) throws(RulesError) -> String {
        let s = try string(key)
        guard !s.isEmpty, s.utf8.count <= 64, s.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x5F }) else {
            throw error(key, "must be 1–64 characters of a–z, 0–9, - and _")
        }
        return s
    }

    func int(_ key: String) throws(RulesError) -> Int {
        guard let v = object[key] else { throw error(key, "is required") }
        guard let n = v.int64Value else { throw error(key, "must be an integer, not \(v.typeName)") }
        return Int(n)
    }

    func optionalBool(_ key: String) throws(RulesError) -> Bool? {
        guard let v = object[key] else { return nil }
        guard let b = v.boolValue else { throw error(key, "must be true or false, not \(v.typeName)") }
        return b
    }

    func bool(_ key: String) throws(RulesError) -> Bool {
        guard let b = try optionalBool(key) else { throw error(key, "is required") }
        return b
    }

    func optionalArray(_ key: String) throws(RulesError) -> [JSONValue]? {
        guard let v = object[key] else { return nil }
        guard let a = v.arrayValue else { throw error(key, "must be an array, not \(v.typeName)") }
        return a
    }

    func optionalStrings(_ key: String) throws(RulesError) -> [String]? {
        guard let a = try optionalArray(key) else { return nil }
        var out: [String] = []
        for (i, v) in a.enumerated() {
            guard let s = v.stringValue, !s.isEmpty else { throw error("\(key)[\(i)]", "must be a non-empty string") }
            out.append(s)
        }
        if out.isEmpty { throw error(key, "must not be empty (leave the field out instead)") }
        return out
    }

    func strings(_ key: String) throws(RulesError) -> [String] {
        guard let a = try optionalStrings(key) else { throw error(key, "is required") }
        return a
    }

    func pattern(_ key: String) throws(RulesError) -> TextPattern? {
        guard let s = try optionalString(key) else { return nil }
        guard !s.isEmpty else { throw error(key, "must not be empty") }
        // NSRegularExpression's error says no more than "invalid"; the pattern itself is the useful part.
        do { return try TextPattern(s) } catch { throw self.error(key, "invalid regular expression \"\(s)\" (ICU syntax)") }
    }
}
