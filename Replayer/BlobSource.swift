import Recorder
import Synchronization
import TraceModel

/// Where a replay reads content-addressed bytes from: the spool's blob directory, a store, or memory.
/// Callers verify what they read; a source may return wrong bytes.
public protocol BlobSource: Sendable {
    /// The bytes kept under `digest`; throws when the blob is not available.
    func read(_ digest: Digest) throws -> [UInt8]
}

/// `read(_:)` with its typed error already fits.
extension SpoolBlobStore: BlobSource {}

/// Blobs kept in memory: a `BlobSource` and a `BlobSink`, for tests and small replays.
public final class MemoryBlobStore: BlobSource, BlobSink {
    private let blobs = Mutex<[Digest: [UInt8]]>([:])

    public init() {}

    public func contains(_ digest: Digest) -> Bool { blobs.withLock { $0[digest] != nil } }

    @discardableResult
    public func put(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.sha256(bytes)
        blobs.withLock { $0[digest] = bytes }
        return digest
    }

    /// Keeps `bytes` under `digest` without checking them (to test readers that must verify).
    public func put(_ bytes: [UInt8], as digest: Digest) {
        blobs.withLock { $0[digest] = bytes }
    }

    public func read(_ digest: Digest) throws -> [UInt8] {
        guard let bytes = blobs.withLock({ $0[digest] }) else { throw MissingBlob(digest: digest) }
        return bytes
    }

    public var count: Int { blobs.withLock { $0.count } }

    /// The error `read` throws for a digest that is not kept.
    public struct MissingBlob: Error, CustomStringConvertible {
        public let digest: Digest
        public var description: String { "blob \(digest) is not available" }
    }
}
