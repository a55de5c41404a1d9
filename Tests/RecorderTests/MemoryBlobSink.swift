import Recorder
import Synchronization
import TraceModel

/// A `BlobSink` in memory, for tests of code that writes blobs.
final class MemoryBlobSink: BlobSink {
    private let blobs = Mutex<[Digest: [UInt8]]>([:])

    func contains(_ digest: Digest) -> Bool { blobs.withLock { $0[digest] != nil } }

    @discardableResult
    func put(_ bytes: [UInt8]) throws -> Digest {
        let digest = Digest.sha256(bytes)
        blobs.withLock { $0[digest] = bytes }
        return digest
    }

    func bytes(_ digest: Digest) -> [UInt8]? { blobs.withLock { $0[digest] } }
    var count: Int { blobs.withLock { $0.count } }
}
