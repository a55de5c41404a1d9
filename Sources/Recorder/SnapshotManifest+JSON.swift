import TraceModel

/// The manifest as JSON: `{"entries":[…],"v":1}`, each entry
/// `{"digest","mode","path","size","stored","target","type"}` with only the fields its type has
/// (`stored` only when false), in canonical form so equal trees give equal digests.
extension SnapshotManifest {
    /// Largest manifest `parse` reads.
    public static let maxBytes = 256 << 20

    public var jsonValue: JSONValue {
        .object(["v": .number(JSONNumber(Self.version)), "entries": .array(entries.map(\.jsonValue))])
    }

    /// Canonical JSON (sorted keys, no whitespace): the bytes `jsonValue.canonicalBytes()` gives,
    /// written directly because a large tree's manifest is encoded on every snapshot.
    public func canonicalBytes() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(entries.count * 160 + 32)
        out.append(contentsOf: #"{"entries":["#.utf8)
        for (index, entry) in entries.enumerated() {
            if index > 0 { out.append(UInt8(ascii: ",")) }
            entry.writeCanonical(into: &out)
        }
        out.append(contentsOf: #"],"v":"#.utf8)
        Self.writeDecimal(UInt64(Self.version), into: &out)
        out.append(UInt8(ascii: "}"))
        return out
    }

    static func writeDecimal(_ value: UInt64, into out: inout [UInt8]) {
        var divisor: UInt64 = 1
        while value / divisor >= 10 { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8(rest / divisor))
            rest %= divisor
            divisor /= 10
        }
    }

    /// Reads a manifest and checks it: version, field types, path form, order and uniqueness.
    public static func parse(_ bytes: [UInt8]) throws(SnapshotManifestError) -> SnapshotManifest {
        guard bytes.count <= maxBytes else {
            throw SnapshotManifestError(.invalidField, reason: "manifest is \(bytes.count) bytes, more than \(maxBytes)")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw SnapshotManifestError(.notJSON, offset: error.offset, reason: error.reason)
        }
        guard let top = value.objectValue else {
            throw SnapshotManifestError(.invalidField, reason: "expected an object, found \(value.typeName)")
        }
        for key in top.keys where key != "v" && key != "entries" {
            throw SnapshotManifestError(.unknownField, field: key, reason: "unknown field")
        }
        guard let version = top["v"] else { throw SnapshotManifestError(.missingField, field: "v", reason: "required") }
        guard version.int64Value == Int64(Self.version) else {
            throw SnapshotManifestError(.unsupportedVersion, field: "v", reason: "version \(version.canonicalString) is not \(Self.version)")
        }
        guard let list = top["entries"] else { throw SnapshotManifestError(.missingField, field: "entries", reason: "required") }
        guard let items = list.arrayValue else {
            throw SnapshotManifestError(.invalidField, field: "entries", reason: "expected an array, found \(list.typeName)")
        }
        var entries: [SnapshotEntry] = []
        entries.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            let entry = try SnapshotEntry(json: item, field: "entries[\(index)]")
            if let last = entries.last, !precedes(last.path, entry.path) {
                throw SnapshotManifestError(.unsorted, field: "entries[\(index)].path",
                                            reason: last.path == entry.path ? "path \"\(entry.path)\" appears twice"
                                                                              : "\"\(entry.path)\" comes after \"\(last.path)\"")
            }
            entries.append(entry)
        }
        return SnapshotManifest(sortedEntries: entries)
    }
}

extension SnapshotEntry {
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "path": .string(path), "type": .string(kind.rawValue), "mode": .number(JSONNumber(Int(mode))),
        ]
        switch kind {
        case .file:
            object["size"] = .number(JSONNumber(size))
            if let digest { object["digest"] = .string(digest.description) }
            if !stored { object["stored"] = .bool(false) }
        case .symlink:
            if let target { object["target"] = .string(target) }
        case .dir:
            break
        }
        return .object(object)
    }

    /// This entry's canonical JSON; keys in byte order: digest, mode, path, size, stored, target, type.
    func writeCanonical(into out: inout [UInt8]) {
        out.append(UInt8(ascii: "{"))
        if kind == .file, let digest {
            out.append(contentsOf: #""digest":""#.utf8)
            digest.write(into: &out)
            out.append(contentsOf: #"","#.utf8)
        }
        out.append(contentsOf: #""mode":"#.utf8)
        SnapshotManifest.writeDecimal(UInt64(mode), into: &out)
        out.append(contentsOf: #","path":"#.utf8)
        JSONValue.string(path).writeCanonical(into: &out)
        switch kind {
        case .file:
            out.append(contentsOf: #","size":"#.utf8)
            SnapshotManifest.writeDecimal(size, into: &out)
            if !stored { out.append(contentsOf: #","stored":false"#.utf8) }
            out.append(contentsOf: #","type":"file"}"#.utf8)
        case .symlink:
            if let target {
                out.append(contentsOf: #","target":"#.utf8)
                JSONValue.string(target).writeCanonical(into: &out)
            }
            out.append(contentsOf: #","type":"symlink"}"#.utf8)
        case .dir:
            out.append(contentsOf: #","type":"dir"}"#.utf8)
        }
    }

    private static let fieldsByKind: [Kind: Set<String>] = [
        .file: ["path", "type", "mode", "size", "digest", "stored"],
        .dir: ["path", "type", "mode"],
        .symlink: ["path", "type", "mode", "target"],
    ]

    /// Reads one manifest entry; `field` names it in errors (`entries[3]`).
    public init(json: JSONValue, field: String) throws(SnapshotManifestError) {
        guard let object = json.objectValue else {
            throw SnapshotManifestError(.invalidField, field: field, reason: "expected an object, found \(json.typeName)")
        }
        func string(_ key: String) throws(SnapshotManifestError) -> String {
            guard let value = object[key] else { throw SnapshotManifestError(.missingField, field: "\(field).\(key)", reason: "required") }
            guard let text = value.stringValue else {
                throw SnapshotManifestError(.invalidField, field: "\(field).\(key)", reason: "expected a string, found \(value.typeName)")
            }
            return text
        }
        func integer(_ key: String, max: UInt64) throws(SnapshotManifestError) -> UInt64 {
            guard let value = object[key] else { throw SnapshotManifestError(.missingField, field: "\(field).\(key)", reason: "required") }
            guard let number = value.numberValue?.uint64Value, number <= max else {
                throw SnapshotManifestError(.invalidField, field: "\(field).\(key)",
                                            reason: "expected an integer 0...\(max), found \(value.canonicalString)")
            }
            return number
        }
        let typeName = try string("type")
        guard let kind = Kind(rawValue: typeName) else {
            throw SnapshotManifestError(.invalidField, field: "\(field).type", reason: "unknown type \"\(typeName)\" (file, dir or symlink)")
        }
        let allowed = Self.fieldsByKind[kind]!
        for key in object.keys.sorted() where !allowed.contains(key) {
            throw SnapshotManifestError(.unknownField, field: "\(field).\(key)", reason: "not a field of a \(kind.rawValue) entry")
        }
        let path = try string("path")
        if let problem = Self.pathProblem(path) {
            throw SnapshotManifestError(.invalidField, field: "\(field).path", reason: problem)
        }
        let mode = UInt32(try integer("mode", max: 0o7777))
        switch kind {
        case .file:
            let size = try integer("size", max: UInt64(Int64.max))
            let text = try string("digest")
            guard let digest = Digest(text) else {
                throw SnapshotManifestError(.invalidField, field: "\(field).digest", reason: "expected sha256:<64 lowercase hex>")
            }
            var stored = true
            if let value = object["stored"] {
                guard let flag = value.boolValue else {
                    throw SnapshotManifestError(.invalidField, field: "\(field).stored", reason: "expected a boolean, found \(value.typeName)")
                }
                stored = flag
            }
            self.init(path: path, kind: .file, mode: mode, size: size, digest: digest, stored: stored)
        case .dir:
            self.init(path: path, kind: .dir, mode: mode)
        case .symlink:
            let target = try string("target")
            guard !target.isEmpty, !target.utf8.contains(0) else {
                throw SnapshotManifestError(.invalidField, field: "\(field).target", reason: "a link target is non-empty and has no NUL byte")
            }
            self.init(path: path, kind: .symlink, mode: mode, target: target)
        }
    }

    /// Why `path` cannot name an entry under the root, or nil when it can.
    static func pathProblem(_ path: String) -> String? {
        if path.isEmpty { return "empty path" }
        if path.utf8.contains(0) { return "path contains a NUL byte" }
        if path.utf8.first == UInt8(ascii: "/") { return "path \"\(path)\" is absolute" }
        for component in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false) {
            if component.isEmpty { return "path \"\(path)\" has an empty component" }
            if component.elementsEqual([UInt8(ascii: ".")]) || component.elementsEqual([UInt8(ascii: "."), UInt8(ascii: ".")]) {
                return "path \"\(path)\" has a . or .. component"
            }
        }
        return nil
    }
}
