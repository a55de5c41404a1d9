import Glibc

extension Materializer {
    enum ParentFailure: Error {
        case refused(String)
        case io(MaterializeError)
    }

    /// Creates `root` when missing, checks it is an empty directory, and opens it.
    func openRoot(_ root: String) throws(MaterializeError) -> Int32 {
        if mkdir(root, 0o755) != 0, errno != EEXIST {
            throw MaterializeError(.root, path: root, reason: "cannot create the directory: \(Self.text(errno))")
        }
        let descriptor = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw MaterializeError(.root, path: root, reason: "cannot open it as a directory: \(Self.text(errno))")
        }
        let listing = dup(descriptor)
        guard listing >= 0, let directory = fdopendir(listing) else {
            let code = errno
            close(descriptor)
            throw MaterializeError(.root, path: root, reason: "cannot list it: \(Self.text(code))")
        }
        defer { closedir(directory) }
        while let item = readdir(directory) {
            let name = withUnsafeBytes(of: item.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != ".", name != ".." {
                close(descriptor)
                throw MaterializeError(.root, path: root, reason: "the directory is not empty (it holds \(name))")
            }
        }
        return descriptor
    }

    /// Opens the directory `components` names below the root, one component at a time without
    /// following links; missing directories are created (mode 0755). Returns `root` itself for no
    /// components; any other descriptor is the caller's to close.
    func openParent(_ root: Int32, _ components: [String]) -> Result<Int32, ParentFailure> {
        var current = root
        for (index, component) in components.enumerated() {
            let shown = components[...index].joined(separator: "/")
            var next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0, errno == ENOENT {
                if mkdirat(current, component, 0o755) != 0, errno != EEXIST {
                    let code = errno
                    if current != root { close(current) }
                    return .failure(.io(MaterializeError(.io, path: shown, reason: "cannot create the directory: \(Self.text(code))")))
                }
                next = openat(current, component, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let code = errno
            if current != root { close(current) }
            guard next >= 0 else {
                if code == ELOOP || code == ENOTDIR {
                    return .failure(.refused("its parent \(shown) is a link or a file, not a directory"))
                }
                return .failure(.io(MaterializeError(.io, path: shown, reason: "cannot open the directory: \(Self.text(code))")))
            }
            current = next
        }
        return .success(current)
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8], _ path: String) throws(MaterializeError) {
        var done = 0
        var failure: Int32 = 0
        bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let wrote = write(descriptor, raw.baseAddress! + done, raw.count - done)
                if wrote < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                done += wrote
            }
        }
        if failure != 0 { throw MaterializeError(.io, path: path, reason: "cannot write: \(text(failure))") }
    }

    static func text(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
