import Glibc
import TraceModel

/// Applies recorded `file.write` / `file.delete` events to a replay workspace with the same care as
/// the materializer: paths are checked, every component is opened without following links, link
/// targets may not escape, and written content must match its recorded digest.
struct WorkspaceEditor {
    enum Outcome: Equatable {
        case applied
        /// The content blob is not available.
        case missing(String)
        /// The event is unsafe or inconsistent, and nothing was changed.
        case refused(String)
    }

    let root: String
    let blobs: any BlobSource

    /// What an event puts at its path: nothing (a deletion), a link, or checked file content.
    private enum Change {
        case delete
        case link(String)
        case file([UInt8], mode: mode_t)
    }

    func apply(_ event: Event) -> Outcome {
        guard let path = event.data["path"]?.stringValue else { return .refused("the event has no path") }
        if let problem = Materializer.pathProblem(path) { return .refused(problem) }
        // Everything that needs no disk is checked before anything is opened.
        let change: Change
        switch self.change(event, path: path) {
        case .success(let checked): change = checked
        case .failure(let outcome): return outcome.value
        }
        var components = path.split(separator: "/").map(String.init)
        let name = components.removeLast()
        let rootDescriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard rootDescriptor >= 0 else { return .refused("cannot open the workspace: \(Materializer.text(errno))") }
        defer { close(rootDescriptor) }
        let parent: Int32
        switch Materializer(blobs: blobs).openParent(rootDescriptor, components) {
        case .success(let descriptor): parent = descriptor
        case .failure(.refused(let reason)): return .refused(reason)
        case .failure(.io(let error)): return .refused(error.description)
        }
        defer { if parent != rootDescriptor { close(parent) } }

        if case .delete = change {
            if unlinkat(parent, name, 0) != 0, errno != ENOENT {
                if errno == EISDIR { return removeTree(parent, name) }
                return .refused("cannot delete: \(Materializer.text(errno))")
            }
            return .applied
        }
        // Replace whatever is there (a link is removed, never followed).
        if unlinkat(parent, name, 0) != 0, errno != ENOENT, errno != EISDIR {
            return .refused("cannot replace the old file: \(Materializer.text(errno))")
        }
        switch change {
        case .delete:
            return .applied
        case .link(let target):
            guard symlinkat(target, parent, name) == 0 else { return .refused("cannot create the link: \(Materializer.text(errno))") }
            return .applied
        case .file(let content, let mode):
            let descriptor = openat(parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode)
            guard descriptor >= 0 else { return .refused("cannot write: \(Materializer.text(errno))") }
            defer { close(descriptor) }
            do {
                try Materializer.writeAll(descriptor, content, path)
            } catch {
                return .refused(error.description)
            }
            _ = fchmod(descriptor, mode)
            return .applied
        }
    }

    /// An outcome carried as a failure while checking a change.
    private struct Early: Error { let value: Outcome }

    /// The change `event` makes, with link targets checked and content read and verified.
    private func change(_ event: Event, path: String) -> Result<Change, Early> {
        if event.kind == .fileDelete { return .success(.delete) }
        guard let after = event.data["after"]?.stringValue.flatMap({ Digest($0) }) else {
            return .failure(Early(value: .refused("the write has no after digest")))
        }
        if event.data["type"]?.stringValue == "symlink", let target = event.data["target"]?.stringValue {
            if let problem = Materializer.linkProblem(path: path, target: target) { return .failure(Early(value: .refused(problem))) }
            return .success(.link(target))
        }
        guard let digest = event.blobs["content"] else {
            return .failure(Early(value: .missing("the recording kept no content for \(path) (\(after))")))
        }
        guard digest == after else { return .failure(Early(value: .refused("the content blob \(digest) is not the after digest \(after)"))) }
        let content: [UInt8]
        do {
            content = try blobs.read(digest)
        } catch {
            return .failure(Early(value: .missing("blob \(digest) for \(path) is not available: \(error)")))
        }
        guard Digest.sha256(content) == digest else { return .failure(Early(value: .refused("the blob read for \(digest) does not match it"))) }
        let mode = event.data["mode"]?.int64Value.map { mode_t($0 & 0o777) } ?? 0o644
        return .success(.file(content, mode: mode))
    }

    /// Removes a directory tree below `parent` without following links.
    private func removeTree(_ parent: Int32, _ name: String) -> Outcome {
        let descriptor = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return .refused("cannot open \(name): \(Materializer.text(errno))") }
        guard let directory = fdopendir(descriptor) else { close(descriptor); return .refused("cannot list \(name)") }
        var names: [String] = []
        while let item = readdir(directory) {
            let entry = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if entry != ".", entry != ".." { names.append(entry) }
        }
        for entry in names where unlinkat(descriptor, entry, 0) != 0 {
            if errno == EISDIR, case .refused(let reason) = removeTree(descriptor, entry) {
                closedir(directory)
                return .refused(reason)
            }
        }
        closedir(directory)
        guard unlinkat(parent, name, AT_REMOVEDIR) == 0 else { return .refused("cannot remove \(name): \(Materializer.text(errno))") }
        return .applied
    }
}
