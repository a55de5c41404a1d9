import Recorder
import TraceModel

extension ShipPass {
    /// Blobs kept in memory as confirmed on the collector before the set is forgotten.
    static let maxRememberedBlobs = 100_000

    /// Puts every blob the spool holds on the collector (blobs only a snapshot manifest names are
    /// found this way too), then deletes the spool's copy.
    mutating func sweepBlobs() throws(ShipperError) {
        let digests: [Digest]
        do {
            digests = try spool.blobs.digests()
        } catch {
            throw ShipperError(.spool, "cannot list the spool's blobs: \(error)")
        }
        for digest in digests {
            if signal?.isStopped == true { throw ShipperError(.stopped, "stopped while uploading blobs") }
            try ensureBlob(digest, session: nil, seq: nil)
        }
    }

    /// Makes sure every blob the batch's events name is on the collector before the events are.
    mutating func ensureBlobs(of batch: EventBatch) throws(ShipperError) {
        for (digest, seq) in batch.blobReferences() {
            try ensureBlob(digest, session: batch.session, seq: seq)
        }
    }

    /// HEAD, then PUT from the spool when the collector lacks it. A blob that is neither in the spool
    /// nor on the collector, or that the collector refuses, is reported and does not stop delivery.
    mutating func ensureBlob(_ digest: Digest, session: SessionID?, seq: UInt64?) throws(ShipperError) {
        if state.blobsOnCollector.contains(digest) {
            discardLocalCopy(digest)
            return
        }
        let path = "/v1/blobs/sha256/\(digest.hex)"
        let head = try perform("HEAD", path, session: session)
        switch head.response.status {
        case 200:
            report.blobsPresent += 1
            confirmed(digest)
            return
        case 404:
            break
        default:
            throw refusal("HEAD \(path)", head, session: session)
        }
        let bytes: [UInt8]
        do {
            bytes = try spool.blobs.read(digest)
        } catch {
            guard !spool.blobs.contains(digest) else {
                problem(digest, session, seq, "cannot read the spool's copy: \(error)")
                return
            }
            // Gone from the spool: another shipper may have uploaded it since the HEAD above.
            if try perform("HEAD", path, session: session).response.status == 200 {
                report.blobsPresent += 1
                confirmed(digest)
            } else {
                problem(digest, session, seq, "neither the spool nor the collector holds it")
            }
            return
        }
        guard Digest.sha256(bytes) == digest else {
            problem(digest, session, seq, "the spool's copy is damaged (its SHA-256 is \(Digest.sha256(bytes))); it is kept, not uploaded")
            return
        }
        let put = try perform("PUT", path, headers: [("Content-Type", "application/octet-stream"), ("Content-Encoding", "zstd")],
                              body: compressor!.compressFrame(bytes), session: session)
        switch put.response.status {
        case 200:
            report.blobsPresent += 1
            confirmed(digest)
        case 201:
            report.blobsUploaded += 1
            report.blobBytesUploaded += bytes.count
            confirmed(digest)
        case 400, 413:
            problem(digest, session, seq, "the collector refused it (\(put.response.status)): \(put.response.errorMessage)")
        default:
            throw refusal("PUT \(path)", put, session: session)
        }
    }

    private mutating func confirmed(_ digest: Digest) {
        if state.blobsOnCollector.count >= Self.maxRememberedBlobs { state.blobsOnCollector.removeAll() }
        state.blobsOnCollector.insert(digest)
        discardLocalCopy(digest)
    }

    /// The collector holds the blob: the spool's copy has done its job.
    private mutating func discardLocalCopy(_ digest: Digest) {
        do {
            try spool.blobs.remove(digest)
        } catch {
            problem(digest, nil, nil, "uploaded, but the spool's copy cannot be deleted: \(error)")
        }
    }

    private mutating func problem(_ digest: Digest, _ session: SessionID?, _ seq: UInt64?, _ message: String) {
        guard troubledBlobs.insert(digest).inserted else { return }
        report.blobProblems.append(ShipReport.BlobProblem(digest: digest, session: session, seq: seq, message: message))
    }
}
