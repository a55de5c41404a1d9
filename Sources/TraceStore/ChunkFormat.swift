import TraceModel

/// The uncompressed layout of a chunk: canonical event lines, each ended by a newline, where a
/// line's `"prev":"sha256:<hex>"` is written `"prev":0` when it equals the SHA-256 of the line
/// before it in the chunk. The hash chain makes that digest redundant, and 64 random hex digits
/// per event are what compresses worst; reading recomputes it, so lines come back byte-identical.
enum ChunkFormat {
    static let seqKey = Array(#","seq":"#.utf8)
    static let prevPrefix = Array(#","prev":"sha256:"#.utf8)
    static let elidedPrev = Array(#","prev":0"#.utf8)
    /// `,"prev":"sha256:` + 64 hex digits + `"`.
    static let prevFieldLength = 16 + 64 + 1
    static let hex = Array("0123456789abcdef".utf8)

    /// Joins `lines` (canonical bytes, sorted by seq) into a chunk body. `digests`, when given, are
    /// the lines' SHA-256 (in the same order), so they are not computed again.
    static func encode(_ lines: [[UInt8]], digests: ArraySlice<Digest>? = nil) -> [UInt8] {
        var total = 0
        for line in lines { total += line.count + 1 }
        var out: [UInt8] = []
        out.reserveCapacity(total)
        for i in lines.indices {
            let line = lines[i]
            if i > 0, let field = prevField(in: line),
               matches(line[field], digest: digests.map { $0[$0.startIndex + i - 1].bytes } ?? Digest.sha256(lines[i - 1]).bytes) {
                out.append(contentsOf: line[..<field.lowerBound])
                out.append(contentsOf: elidedPrev)
                out.append(contentsOf: line[field.upperBound...])
            } else {
                out.append(contentsOf: line)
            }
            out.append(0x0A)
        }
        return out
    }

    /// Splits a chunk body into its lines, restoring elided digests. Nil when the body does not
    /// hold exactly `expectedCount` lines or an elided digest has no line before it.
    static func decode(_ body: [UInt8], expectedCount: Int) -> DecodedChunk? {
        var ends: [Int] = []
        ends.reserveCapacity(expectedCount)
        var elided = false
        body.withUnsafeBufferPointer { buffer in
            for i in 0..<buffer.count where buffer[i] == 0x0A { ends.append(i) }
        }
        guard ends.count == expectedCount, (ends.last ?? -1) == body.count - 1 else { return nil }
        var out: [UInt8] = []
        var starts: [Int] = [0]
        starts.reserveCapacity(expectedCount + 1)
        var lineStart = 0
        for (i, end) in ends.enumerated() {
            let line = body[lineStart..<end]
            if let seq = lastIndex(of: seqKey, in: line), seq - line.startIndex >= elidedPrev.count,
               line[(seq - elidedPrev.count)..<seq].elementsEqual(elidedPrev) {
                guard i > 0 else { return nil }
                if !elided {
                    // First elided line: copy everything before it, then rebuild from here on.
                    out.reserveCapacity(body.count + expectedCount * (prevFieldLength - elidedPrev.count))
                    out.append(contentsOf: body[0..<lineStart])
                    elided = true
                }
                let previous = out[starts[i - 1]..<(starts[i] - 1)]
                out.append(contentsOf: line[..<(seq - elidedPrev.count)])
                appendPrevField(digestOf: previous, to: &out)
                out.append(contentsOf: line[seq...])
            } else if elided {
                out.append(contentsOf: line)
            }
            if elided { out.append(0x0A) }
            starts.append(elided ? out.count : end + 1)
            lineStart = end + 1
        }
        return DecodedChunk(bytes: elided ? out : body, starts: starts)
    }

    /// The range of the envelope's `,"prev":"sha256:<hex>"` field: it sits right before the
    /// envelope's `,"seq":`, which is the last one in the line (only fixed-format fields follow it).
    static func prevField(in line: [UInt8]) -> Range<Int>? {
        guard let seq = lastIndex(of: seqKey, in: line[...]), seq >= prevFieldLength else { return nil }
        let start = seq - prevFieldLength
        guard line[start..<(start + prevPrefix.count)].elementsEqual(prevPrefix), line[seq - 1] == 0x22 else { return nil }
        return start..<seq
    }

    /// True when `field` is `,"prev":"sha256:<hex of SHA-256(previous)>"`.
    static func matches(_ field: ArraySlice<UInt8>, digestOf previous: [UInt8]) -> Bool {
        matches(field, digest: Digest.sha256(previous).bytes)
    }

    /// True when `field` is `,"prev":"sha256:<hex of digest>"`.
    static func matches(_ field: ArraySlice<UInt8>, digest: [UInt8]) -> Bool {
        var i = field.startIndex + prevPrefix.count
        for byte in digest {
            guard field[i] == hex[Int(byte >> 4)], field[i + 1] == hex[Int(byte & 0xF)] else { return false }
            i += 2
        }
        return true
    }

    static func appendPrevField(digestOf previous: ArraySlice<UInt8>, to out: inout [UInt8]) {
        out.append(contentsOf: prevPrefix)
        for byte in Digest.sha256(previous).bytes {
            out.append(hex[Int(byte >> 4)])
            out.append(hex[Int(byte & 0xF)])
        }
        out.append(0x22)
    }

    /// Start index of the last occurrence of `pattern` in `bytes`.
    static func lastIndex(of pattern: [UInt8], in bytes: ArraySlice<UInt8>) -> Int? {
        guard bytes.count >= pattern.count else { return nil }
        var i = bytes.endIndex - pattern.count
        while i >= bytes.startIndex {
            if bytes[i] == pattern[0], bytes[i..<(i + pattern.count)].elementsEqual(pattern) { return i }
            i -= 1
        }
        return nil
    }
}
