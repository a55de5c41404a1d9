import TraceModel

/// Subtracting what recorded events already report, so `parallax record` adds events only for the
/// changes no command accounted for.
extension ManifestDiff {
    /// A change a recorded event reports: its path (relative to the workspace root) and the content
    /// digest it names as `after`, nil for a deletion.
    public struct Accounted: Sendable, Hashable, CustomStringConvertible {
        public var path: String
        public var after: Digest?

        public init(path: String, after: Digest?) {
            self.path = path
            self.after = after
        }

        /// Reads a recorded `file.write` (path, after) or `file.delete` (path); nil for other kinds or
        /// data without a usable path. Absolute paths under `root` become relative to it.
        public init?(kind: EventKind, data: [String: JSONValue], root: String? = nil) {
            guard let raw = data["path"]?.stringValue, !raw.isEmpty else { return nil }
            switch kind {
            case .fileWrite:
                guard let text = data["after"]?.stringValue, let digest = Digest(text) else { return nil }
                after = digest
            case .fileDelete:
                after = nil
            default:
                return nil
            }
            path = ManifestDiff.workspacePath(raw, root: root)
        }

        public init?(_ draft: EventDraft, root: String? = nil) {
            self.init(kind: draft.kind, data: draft.data, root: root)
        }

        public var description: String { "\(path) -> \(after.map(\.description) ?? "deleted")" }
    }

    /// The changes whose event would repeat one in `accounted`, removed (directory changes stay).
    public func subtracting(_ accounted: Set<Accounted>) -> ManifestDiff {
        ManifestDiff(changes: changes.filter { change in
            guard let key = change.accountingKey else { return true }
            return !accounted.contains(key)
        })
    }

    /// `path` in the form manifests use: `.` and `..` resolved lexically, no empty components, and
    /// relative to `root` when it is an absolute path inside it. Paths outside the root stay absolute.
    static func workspacePath(_ path: String, root: String?) -> String {
        let absolute = path.utf8.first == UInt8(ascii: "/")
        var parts = components(path)
        if absolute, let root {
            let base = components(root)
            if parts.count > base.count, Array(parts.prefix(base.count)) == base {
                parts.removeFirst(base.count)
                return parts.joined(separator: "/")
            }
        }
        return (absolute ? "/" : "") + parts.joined(separator: "/")
    }

    private static func components(_ path: String) -> [Substring] {
        var out: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            if part == "." { continue }
            if part == "..", let last = out.last, last != ".." { out.removeLast(); continue }
            out.append(part)
        }
        return out
    }
}
