import Glibc
import Recorder
import TraceModel

/// Writes a snapshot manifest's tree into a fresh directory, with contents from a `BlobSource`.
///
/// Nothing outside the root is touched: every component is opened relative to its parent's
/// descriptor with `O_NOFOLLOW`, so a link written earlier (or planted by anyone) cannot redirect a
/// later write. Unsafe or inconsistent entries (absolute paths, `..`, escaping or absolute link
/// targets, parents that are links or files, contents that do not match their digest) are not
/// written and are listed in `MaterializeResult.refused` along with everything below them; files
/// whose content was not kept are listed in `missing`. Only failures of the root or of I/O throw.
/// Entry kinds are matched exhaustively: a kind added to manifests later will not compile here until
/// it is handled (devices and fifos are never written).
public struct Materializer: Sendable {
    public let blobs: any BlobSource

    public init(blobs: any BlobSource) {
        self.blobs = blobs
    }

    /// Materializes `manifest` into `root`, which must be an empty directory or not exist yet (its
    /// parent must). Modes keep permission bits only; directory modes are applied last.
    public func materialize(_ manifest: SnapshotManifest, into root: String) throws(MaterializeError) -> MaterializeResult {
        let rootDescriptor = try openRoot(root)
        defer { close(rootDescriptor) }
        var result = MaterializeResult()
        var refusedPaths: Set<String> = []
        var directoryModes: [(path: String, mode: UInt32)] = []

        for entry in manifest.entries {
            if let ancestor = Self.ancestors(of: entry.path).first(where: refusedPaths.contains) {
                result.refused.append(.init(path: entry.path, reason: "it is below \(ancestor), which was refused"))
                refusedPaths.insert(entry.path)
                continue
            }
            func refuse(_ reason: String) {
                result.refused.append(.init(path: entry.path, reason: reason))
                refusedPaths.insert(entry.path)
            }
            if let problem = Self.pathProblem(entry.path) { refuse(problem); continue }
            var components = entry.path.split(separator: "/").map(String.init)
            let name = components.removeLast()

            // Validate what does not need the disk before opening anything.
            var content: [UInt8] = []
            switch entry.kind {
            case .dir:
                break
            case .symlink:
                guard let target = entry.target else { refuse("the link has no target"); continue }
                if let problem = Self.linkProblem(path: entry.path, target: target) { refuse(problem); continue }
            case .file:
                guard let digest = entry.digest else { refuse("the file has no digest"); continue }
                guard entry.stored else {
                    result.missing.append(.init(path: entry.path, reason: "content not kept (\(digest))"))
                    continue
                }
                do {
                    content = try blobs.read(digest)
                } catch {
                    result.missing.append(.init(path: entry.path, reason: "blob \(digest) is not available: \(error)"))
                    continue
                }
                let actual = Digest.sha256(content)
                guard actual == digest else {
                    refuse("the blob read for \(digest) has digest \(actual)")
                    continue
                }
                guard UInt64(content.count) == entry.size else {
                    refuse("the content is \(content.count) bytes, the entry says \(entry.size)")
                    continue
                }
            }

            let parent: Int32
            switch openParent(rootDescriptor, components) {
            case .success(let descriptor): parent = descriptor
            case .failure(.refused(let reason)): refuse(reason); continue
            case .failure(.io(let error)): throw error
            }
            defer { if parent != rootDescriptor { close(parent) } }

            switch entry.kind {
            case .dir:
                guard mkdirat(parent, name, 0o700) == 0 else {
                    let code = errno
                    if code == EEXIST { refuse("something already exists at this path"); continue }
                    throw MaterializeError(.io, path: entry.path, reason: "cannot create the directory: \(Self.text(code))")
                }
                directoryModes.append((entry.path, entry.mode & 0o777))
                result.directories += 1
            case .symlink:
                guard symlinkat(entry.target!, parent, name) == 0 else {
                    let code = errno
                    if code == EEXIST { refuse("something already exists at this path"); continue }
                    throw MaterializeError(.io, path: entry.path, reason: "cannot create the link: \(Self.text(code))")
                }
                result.symlinks += 1
            case .file:
                let descriptor = openat(parent, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    let code = errno
                    if code == EEXIST { refuse("something already exists at this path"); continue }
                    throw MaterializeError(.io, path: entry.path, reason: "cannot create the file: \(Self.text(code))")
                }
                defer { close(descriptor) }
                try Self.writeAll(descriptor, content, entry.path)
                guard fchmod(descriptor, mode_t(entry.mode & 0o777)) == 0 else {
                    throw MaterializeError(.io, path: entry.path, reason: "cannot set the mode: \(Self.text(errno))")
                }
                result.files += 1
                result.bytes += UInt64(content.count)
            }
        }

        // Deepest first, so a directory made read-only does not block setting its children.
        for (path, mode) in directoryModes.reversed() {
            let descriptor: Int32
            switch openParent(rootDescriptor, path.split(separator: "/").map(String.init)) {
            case .success(let d): descriptor = d
            case .failure(.refused(let reason)): throw MaterializeError(.io, path: path, reason: reason)
            case .failure(.io(let error)): throw error
            }
            defer { if descriptor != rootDescriptor { close(descriptor) } }
            guard fchmod(descriptor, mode_t(mode)) == 0 else {
                throw MaterializeError(.io, path: path, reason: "cannot set the mode: \(Self.text(errno))")
            }
        }
        return result
    }
}
