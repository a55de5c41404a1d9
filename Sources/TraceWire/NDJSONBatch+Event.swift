import TraceModel

extension NDJSONBatch {
    /// Decodes an event batch line by line; bad lines are reported and skipped.
    public static func decode(_ bytes: [UInt8], maxLineBytes: Int = defaultMaxLineBytes) -> NDJSONDecodeResult {
        let lines = decodeLines(bytes, maxLineBytes: maxLineBytes) { line in try Event.decode(line) }
        return NDJSONDecodeResult(events: lines.lines, errors: lines.errors)
    }

    /// Decodes a batch that may be zstd-compressed (detected by its magic number) or plain.
    /// Only the decompression can throw; line problems are reported in the result.
    public static func decodeCompressed(
        _ bytes: [UInt8], limits: ZstdLimits = .wire, maxLineBytes: Int = defaultMaxLineBytes
    ) throws(ZstdError) -> NDJSONDecodeResult {
        guard Zstd.looksCompressed(bytes) else { return decode(bytes, maxLineBytes: maxLineBytes) }
        return decode(try Zstd.decompress(bytes, limits: limits), maxLineBytes: maxLineBytes)
    }

    /// The canonical bytes of each event, each line terminated by `\n`.
    public static func encode(_ events: [Event]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(events.count * 320)
        for event in events {
            event.writeCanonical(into: &out)
            out.append(0x0A)
        }
        return out
    }

    /// `encode` followed by one zstd frame.
    public static func encodeCompressed(_ events: [Event], level: Int32 = 3) -> [UInt8] {
        Zstd.compress(encode(events), level: level)
    }
}
