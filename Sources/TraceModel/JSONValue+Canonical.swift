extension JSONValue {
    /// Canonical bytes: keys sorted by UTF-8 bytes, no insignificant whitespace, number literals as
    /// written, minimal string escapes. Two equal values always encode to equal bytes.
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        writeCanonical(into: &out)
        return out
    }

    public func writeCanonical(into out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        case .bool(true): out.append(contentsOf: [0x74, 0x72, 0x75, 0x65])
        case .bool(false): out.append(contentsOf: [0x66, 0x61, 0x6C, 0x73, 0x65])
        case .number(let n): out.append(contentsOf: n.literal.utf8)
        case .string(let s): Self.writeCanonical(string: s, into: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                item.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, key) in Self.sortedKeys(object).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeCanonical(string: key, into: &out)
                out.append(UInt8(ascii: ":"))
                object[key]!.writeCanonical(into: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Keys in UTF-8 byte order (Swift's `<` on String uses Unicode ordering, which differs).
    static func sortedKeys(_ object: [String: JSONValue]) -> [String] {
        object.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    static func writeCanonical(string: String, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case 0x22: out.append(0x5C); out.append(0x22)
            case 0x5C: out.append(0x5C); out.append(0x5C)
            case 0x08: out.append(0x5C); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(0x5C); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(0x5C); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(0x5C); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(0x5C); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                out.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30])
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Canonical text, for display and tests.
    public var canonicalString: String { String(decoding: canonicalBytes(), as: UTF8.self) }
}
