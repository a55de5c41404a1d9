import TraceModel

/// Changes as events: files and links become `file.write` (path, before, after, mode, size) or
/// `file.delete` (path, before). A link's "content" is its target text: its digest is the SHA-256 of
/// the target, and the data says `"type": "symlink"` and the `target`. Directories have no event.
extension ManifestDiff.Change {
    /// The path and `after` digest (nil for a deletion) of this change's event, as a recorded event
    /// reporting the same change would give them; nil when the change has no event (directories).
    public var accountingKey: ManifestDiff.Accounted? {
        let writes = after.map { $0.kind != .dir } ?? false
        let removes = before.map { $0.kind != .dir } ?? false
        if writes { return ManifestDiff.Accounted(path: path, after: after?.contentDigest) }
        if removes { return ManifestDiff.Accounted(path: path, after: nil) }
        return nil
    }

    /// The `file.write` or `file.delete` draft for this change; nil for directory changes.
    public func eventDraft(actor: Actor = .recorder) -> EventDraft? {
        if let after, after.kind != .dir, let digest = after.contentDigest {
            let previous = before.flatMap { $0.kind == .dir ? nil : $0.contentDigest }
            var data = FileWrite(path: path, after: digest, before: previous, mode: Int64(after.mode),
                                 size: after.kind == .file ? Int64(after.size) : nil).data
            if previous == nil { data["before"] = .null }  // did not exist as a file before
            var blobs: [String: Digest] = [:]
            if after.kind == .symlink {
                data["type"] = "symlink"
                data["target"] = .string(after.target ?? "")
            } else if after.stored {
                blobs["content"] = digest
            }
            return EventDraft(kind: .fileWrite, actor: actor, data: data, blobs: blobs)
        }
        if let before, before.kind != .dir {
            var data = FileDelete(path: path, before: before.contentDigest).data
            if before.kind == .symlink {
                data["type"] = "symlink"
                data["target"] = .string(before.target ?? "")
            }
            return EventDraft(kind: .fileDelete, actor: actor, data: data)
        }
        return nil
    }
}

extension ManifestDiff {
    /// Drafts for every change that has an event, in path order.
    public func eventDrafts(actor: Actor = .recorder) -> [EventDraft] {
        changes.compactMap { $0.eventDraft(actor: actor) }
    }
}
