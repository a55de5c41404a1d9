import TraceModel

/// What changed between two snapshots of one workspace, in path order, and the `file.write` /
/// `file.delete` drafts that record it.
public struct ManifestDiff: Sendable, Hashable {
    /// One path that differs.
    public struct Change: Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable, Hashable {
            case created, modified, deleted
            case modeChanged = "mode_changed"
            /// The path is now another kind of entry (a file became a link or a directory…).
            case typeChanged = "type_changed"
        }

        public var path: String
        public var kind: Kind
        /// The entry in the earlier snapshot; nil when created.
        public var before: SnapshotEntry?
        /// The entry in the later snapshot; nil when deleted.
        public var after: SnapshotEntry?

        public init(path: String, kind: Kind, before: SnapshotEntry?, after: SnapshotEntry?) {
            self.path = path
            self.kind = kind
            self.before = before
            self.after = after
        }

        public var description: String { "\(kind.rawValue) \(path)" }
    }

    public var changes: [Change]

    public init(changes: [Change]) {
        self.changes = changes
    }

    /// Compares `before` with `after`; a file whose content is unchanged but whose content was kept in
    /// one snapshot and not the other (size caps) is not a change.
    public init(from before: SnapshotManifest, to after: SnapshotManifest) {
        var changes: [Change] = []
        let old = before.entries, new = after.entries
        var i = 0, j = 0
        while i < old.count || j < new.count {
            if j == new.count || (i < old.count && SnapshotManifest.precedes(old[i].path, new[j].path)) {
                changes.append(Change(path: old[i].path, kind: .deleted, before: old[i], after: nil))
                i += 1
            } else if i == old.count || SnapshotManifest.precedes(new[j].path, old[i].path) {
                changes.append(Change(path: new[j].path, kind: .created, before: nil, after: new[j]))
                j += 1
            } else {
                if let kind = Self.difference(old[i], new[j]) {
                    changes.append(Change(path: new[j].path, kind: kind, before: old[i], after: new[j]))
                }
                i += 1
                j += 1
            }
        }
        self.changes = changes
    }

    public var isEmpty: Bool { changes.isEmpty }

    private static func difference(_ a: SnapshotEntry, _ b: SnapshotEntry) -> Change.Kind? {
        if a.kind != b.kind { return .typeChanged }
        switch a.kind {
        case .file where a.digest != b.digest || a.size != b.size: return .modified
        case .symlink where a.target != b.target: return .modified
        default: return a.mode != b.mode ? .modeChanged : nil
        }
    }
}
