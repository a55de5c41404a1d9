import CSpool
import Glibc
import Synchronization
import TraceModel
import TraceWire

/// The spool's content-addressed blobs (`blobs/sha256/<hex>`), kept until the shipper has uploaded
/// them. A blob appears under its name only complete: it is written to a temporary file in the same
/// directory and renamed. Under the `always` fsync policy each blob is fsynced before the rename;
/// under `interval` they are made durable together (one syncfs) by `flush()`, which the session
/// writer calls before it fsyncs events — so an event on disk never names a blob that is not.
public final class SpoolBlobStore: BlobSink {
    public let directory: String
    let options: SpoolOptions
    let capacity: SpoolCapacity
    /// Blobs renamed into place since the last `flush()`.
    private let unsynced = Atomic<Bool>(false)

    init(directory: String, options: SpoolOptions, capacity: SpoolCapacity) {
        self.directory = directory
        self.options = options
        self.capacity = capacity
    }

    public func path(for digest: Digest) -> String { directory + "/" + digest.hex }

    public func contains(_ digest: Digest) -> Bool {
        SpoolDisk.fileSize(path(for: digest)) != nil
    }

    /// Keeps `bytes`; a blob already kept is not written again.
    @discardableResult
    public func put(_ bytes: [UInt8]) throws -> Digest {
        try store(bytes)
    }

    /// `put` with a typed error.
    @discardableResult
    public func store(_ bytes: [UInt8]) throws(SpoolError) -> Digest {
        let digest = Digest.sha256(bytes)
        if contains(digest) { return digest }
        try makeRoom(bytes.count, for: digest.description)
        do throws(SpoolError) {
            let (temporary, descriptor) = try createTemporary()
            do {
                try SpoolDisk.writeAll(descriptor, bytes, temporary)
            } catch {
                close(descriptor)
                unlink(temporary)
                throw error
            }
            try commit(descriptor, temporary, as: digest)
        } catch {
            capacity.release(bytes.count)
            throw error
        }
        capacity.landed(bytes.count)
        return digest
    }

    /// Keeps the contents of the file at `path`, streamed (hashed while copied), and returns its digest.
    @discardableResult
    public func putFile(path source: String) throws(SpoolError) -> Digest {
        let input = try SpoolDisk.openFile(source, O_RDONLY)
        defer { close(input) }
        let size = try SpoolDisk.size(of: input, source)
        try makeRoom(size, for: source)
        let digest: Digest
        var copied = 0
        do throws(SpoolError) {
            let (temporary, output) = try createTemporary()
            let hasher = SHA256Hasher()
            do {
                while true {
                    let chunk = try SpoolDisk.read(input, at: copied, count: 1 << 20, source)
                    if chunk.isEmpty { break }
                    hasher.update(chunk)
                    try SpoolDisk.writeAll(output, chunk, temporary)
                    copied += chunk.count
                }
            } catch {
                close(output)
                unlink(temporary)
                throw error
            }
            digest = hasher.finalize()
            if contains(digest) {
                close(output)
                unlink(temporary)
                capacity.release(size)
                return digest
            }
            try commit(output, temporary, as: digest)
        } catch {
            capacity.release(size)
            throw error
        }
        capacity.landed(size)
        // The file may have changed size while it was copied.
        if copied != size {
            capacity.add(copied - size)
            capacity.landed(copied - size)
        }
        return digest
    }

    /// The bytes of a kept blob.
    public func read(_ digest: Digest) throws(SpoolError) -> [UInt8] {
        try SpoolSegments.whole(path(for: digest))
    }

    /// The blobs kept, in digest order; stray names are ignored.
    public func digests() throws(SpoolError) -> [Digest] {
        (try SpoolDisk.list(directory) ?? []).compactMap { Digest(hex: $0) }.sorted()
    }

    /// Deletes a blob (once it is uploaded), freeing its space for blocked writers.
    public func remove(_ digest: Digest) throws(SpoolError) {
        try capacity.delete(path(for: digest))
    }

    /// Reserves space for a blob of `size` bytes under the spool's full policy: `block` waits,
    /// `dropOldest` refuses (blobs are not dropped to make room, and events are not dropped for blobs).
    private func makeRoom(_ size: Int, for what: String) throws(SpoolError) {
        guard let maxBytes = options.maxBytes else { return }
        guard size <= maxBytes else {
            throw SpoolError(code: .full, path: directory,
                             message: "a blob of \(size) bytes (\(what)) can never fit in a spool of at most \(maxBytes) bytes")
        }
        while true {
            let generation = capacity.generation
            if try capacity.reserve(size) { return }
            if options.full == .dropOldest {
                throw SpoolError(code: .full, path: directory,
                                 message: "the spool is full (at most \(maxBytes) bytes): no room for a blob of \(size) bytes (\(what))")
            }
            capacity.waitForSpace(after: generation, milliseconds: options.fullRecheckMilliseconds)
        }
    }

    private func createTemporary() throws(SpoolError) -> (String, Int32) {
        var random = SystemRandomNumberGenerator()
        let name = "\(directory)/.tmp-\(getpid())-\(String(random.next() as UInt64, radix: 36))"
        return (name, try SpoolDisk.openFile(name, O_WRONLY | O_CREAT | O_EXCL))
    }

    /// Makes every blob written since the last call durable, with one syncfs of the spool's file system.
    public func flush() throws(SpoolError) {
        guard unsynced.exchange(false, ordering: .acquiringAndReleasing) else { return }
        let descriptor = try SpoolDisk.openFile(directory, O_RDONLY | O_DIRECTORY)
        defer { close(descriptor) }
        guard parallax_syncfs(descriptor) == 0 else {
            unsynced.store(true, ordering: .releasing)
            throw SpoolDisk.failure(directory, "cannot sync the file system")
        }
    }

    /// Closes the temporary file (fsyncing it first under `always`), then renames it to the digest's
    /// name; on failure the temporary file is removed.
    private func commit(_ descriptor: Int32, _ temporary: String, as digest: Digest) throws(SpoolError) {
        let durable = options.fsync == .always
        if durable, fsync(descriptor) != 0 {
            let failed = SpoolDisk.failure(temporary, "cannot fsync")
            close(descriptor)
            unlink(temporary)
            throw failed
        }
        close(descriptor)
        guard rename(temporary, path(for: digest)) == 0 else {
            let failed = SpoolDisk.failure(path(for: digest), "cannot rename \(temporary) to it")
            unlink(temporary)
            throw failed
        }
        if durable {
            try SpoolDisk.syncDirectory(directory)
        } else if options.fsync != .never {
            unsynced.store(true, ordering: .releasing)
        }
    }
}
