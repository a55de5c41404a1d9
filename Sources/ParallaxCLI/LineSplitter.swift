import CLIKit
import TraceWire

/// Cuts a byte stream into runs of complete lines, tracking line numbers and byte offsets across
/// chunks. A line longer than `maxLineBytes` is reported and skipped without being buffered.
struct LineSplitter {
    struct Region {
        var bytes: [UInt8]
        /// Line number of the region's first line (1-based) and its byte offset in the stream.
        var firstLine: Int
        var offset: Int
    }

    struct Output {
        var regions: [Region] = []
        var errors: [LineError] = []
    }

    let maxLineBytes: Int
    /// Stream offset of the next byte fed.
    private var streamPosition = 0
    /// An incomplete last line and the stream offset it starts at.
    private var carry: [UInt8] = []
    private var carryStart = 0
    private var nextLine = 1
    /// Inside an over-long line (which started at `skipStart`): drop bytes until its newline.
    private var skipping = false
    private var skipStart = 0

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    mutating func feed(_ chunk: [UInt8]) -> Output {
        var output = Output()
        let base = streamPosition
        streamPosition += chunk.count
        var start = 0
        if skipping {
            guard let newline = chunk.firstIndex(of: 0x0A) else { return output }
            output.errors.append(overlong(length: base + newline - skipStart))
            nextLine += 1
            skipping = false
            start = newline + 1
        }
        if carry.isEmpty { carryStart = base + start }
        guard let lastNewline = chunk[start...].lastIndex(of: 0x0A) else {
            carry.append(contentsOf: chunk[start...])
            checkCarry()
            return output
        }
        var region = carry
        region.append(contentsOf: chunk[start...lastNewline])
        output.regions.append(Region(bytes: region, firstLine: nextLine, offset: carryStart))
        nextLine += region.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        carry = Array(chunk[(lastNewline + 1)...])
        carryStart = base + lastNewline + 1
        checkCarry()
        return output
    }

    /// The last line when the stream does not end with a newline.
    mutating func finish() -> Output {
        var output = Output()
        if skipping {
            output.errors.append(overlong(length: streamPosition - skipStart))
            skipping = false
        } else if !carry.isEmpty {
            output.regions.append(Region(bytes: carry, firstLine: nextLine, offset: carryStart))
            carry = []
        }
        return output
    }

    private mutating func checkCarry() {
        guard carry.count > maxLineBytes else { return }
        skipping = true
        skipStart = carryStart
        carry = []
    }

    private func overlong(length: Int) -> LineError {
        LineError(line: nextLine, offset: skipStart, reason: "line is \(length) bytes, over the \(maxLineBytes)-byte limit")
    }
}
