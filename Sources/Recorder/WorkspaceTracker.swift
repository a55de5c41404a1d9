/// Watches a workspace between steps: each call reports what changed since the previous one.
public protocol WorkspaceTracker: Sendable {
    /// `file.write` / `file.delete` drafts for every change since the previous call (or since the
    /// tracker was made), in path order.
    func changesSinceLastScan() throws -> [EventDraft]
}
