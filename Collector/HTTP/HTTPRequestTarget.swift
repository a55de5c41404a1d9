/// The request target of a request line, split into the raw path and the decoded query.
struct HTTPRequestTarget: Sendable, Equatable {
    var path: String
    var query: [String: [String]]

    /// Parses origin-form ("/a/b?x=1"), absolute-form ("http://host/a?x=1") and "*".
    /// Returns nil for anything else, for control characters, and for a query whose
    /// percent-escapes are malformed or decode to invalid UTF-8.
    static func parse(_ raw: String) -> HTTPRequestTarget? {
        var bytes = Array(raw.utf8)
        guard !bytes.isEmpty, !bytes.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        if let hash = bytes.firstIndex(of: UInt8(ascii: "#")) { bytes.removeSubrange(hash...) }
        if bytes == [UInt8(ascii: "*")] { return HTTPRequestTarget(path: "*", query: [:]) }
        if bytes.first != UInt8(ascii: "/") {
            guard let origin = originForm(ofAbsolute: bytes) else { return nil }
            bytes = origin
        }
        let questionMark = bytes.firstIndex(of: UInt8(ascii: "?"))
        let path = String(decoding: bytes[..<(questionMark ?? bytes.endIndex)], as: UTF8.self)
        guard let questionMark else { return HTTPRequestTarget(path: path, query: [:]) }
        guard let query = parseQuery(bytes[(questionMark + 1)...]) else { return nil }
        return HTTPRequestTarget(path: path, query: query)
    }

    /// "http://host:port/p?q" → "/p?q"; "http://host" → "/".
    private static func originForm(ofAbsolute bytes: [UInt8]) -> [UInt8]? {
        let text = String(decoding: bytes, as: UTF8.self).lowercased()
        let schemeLength: Int
        if text.hasPrefix("http://") { schemeLength = 7 } else if text.hasPrefix("https://") { schemeLength = 8 } else { return nil }
        let rest = bytes[schemeLength...]
        guard let slash = rest.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else {
            return rest.isEmpty ? nil : [UInt8(ascii: "/")]
        }
        guard slash > rest.startIndex else { return nil }
        let tail = Array(bytes[slash...])
        return tail.first == UInt8(ascii: "?") ? [UInt8(ascii: "/")] + tail : tail
    }

    /// "a=1&b=x+y&a=%41&flag" → ["a": ["1", "A"], "b": ["x y"], "flag": [""]].
    static func parseQuery(_ bytes: ArraySlice<UInt8>) -> [String: [String]]? {
        var query: [String: [String]] = [:]
        for pair in bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let equals = pair.firstIndex(of: UInt8(ascii: "="))
            guard let name = formDecode(pair[..<(equals ?? pair.endIndex)]) else { return nil }
            let value: String
            if let equals {
                guard let decoded = formDecode(pair[(equals + 1)...]) else { return nil }
                value = decoded
            } else {
                value = ""
            }
            query[name, default: []].append(value)
        }
        return query
    }

    /// application/x-www-form-urlencoded decoding: "+" is a space, "%XX" a byte; the result must be UTF-8.
    static func formDecode(_ bytes: ArraySlice<UInt8>) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "+") {
                out.append(UInt8(ascii: " "))
                index += 1
            } else if byte == UInt8(ascii: "%") {
                guard index + 2 < bytes.endIndex,
                      let high = hexValue(bytes[index + 1]), let low = hexValue(bytes[index + 2]) else { return nil }
                out.append(high << 4 | low)
                index += 3
            } else {
                out.append(byte)
                index += 1
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
