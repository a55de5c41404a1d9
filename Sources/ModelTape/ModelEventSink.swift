import Recorder
import TraceModel

/// Where the proxy records model calls: blobs for bodies, events for the calls. The production sink
/// is a running session (`RecorderModelEventSink`); both calls may block briefly (disk).
public protocol ModelEventSink: Sendable {
    /// Keeps `bytes` content-addressed and returns their digest.
    func storeBlob(_ bytes: [UInt8]) throws -> Digest
    /// Records one event and returns its seq.
    func record(_ draft: EventDraft) throws -> UInt64
}

/// Records into a session: events through its `SessionRecorder` (which redacts, chains and spools
/// them), bodies into the spool's blob store.
public struct RecorderModelEventSink: ModelEventSink {
    public let recorder: SessionRecorder
    public let blobs: any BlobSink

    public init(recorder: SessionRecorder, blobs: any BlobSink) {
        self.recorder = recorder
        self.blobs = blobs
    }

    public func storeBlob(_ bytes: [UInt8]) throws -> Digest {
        try blobs.put(bytes)
    }

    public func record(_ draft: EventDraft) throws -> UInt64 {
        try recorder.record(draft)
    }
}
