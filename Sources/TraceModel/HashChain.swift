/// Seals events into a session's hash chain: assigns dense `seq` numbers and sets `prev` to the
/// digest of the previous event's canonical bytes.
public struct ChainBuilder: Sendable {
    public private(set) var nextSeq: UInt64
    public private(set) var lastDigest: Digest?

    public init() {
        nextSeq = 0
        lastDigest = nil
    }

    /// Continues a chain after `seq` whose digest is `digest` (e.g. a recorder restarting).
    public init(after seq: UInt64, digest: Digest) {
        nextSeq = seq + 1
        lastDigest = digest
    }

    /// Sets `seq` and `prev` on `event`, and returns its canonical bytes (computed once for both
    /// the chain and the caller, who usually writes them out).
    @discardableResult
    public mutating func seal(_ event: inout Event) -> [UInt8] {
        event.seq = nextSeq
        event.prev = lastDigest
        let bytes = event.canonicalBytes()
        lastDigest = Digest.sha256(bytes)
        nextSeq += 1
        return bytes
    }
}

/// One thing wrong with a session's chain, naming the seq it concerns.
public enum ChainFinding: Sendable, Hashable, CustomStringConvertible {
    /// Events `seqs` are absent: removed, or not delivered yet.
    case missing(ClosedRange<UInt64>)
    /// The event at `seq` does not hash to the `prev` its successor recorded.
    case edited(seq: UInt64)
    /// The event at `seq` is not part of the chain: its successor links over it.
    case inserted(seq: UInt64)
    /// The event at `seq` arrived after the event at `after`, a later position.
    case reordered(seq: UInt64, after: UInt64)
    /// The first event (seq 0) carries a `prev`, or later events lack one.
    case badLink(seq: UInt64, reason: String)
    /// Two different events claim the same seq.
    case conflict(seq: UInt64)

    public var seq: UInt64 {
        switch self {
        case .missing(let r): r.lowerBound
        case .edited(let s), .inserted(let s), .conflict(let s): s
        case .reordered(let s, _): s
        case .badLink(let s, _): s
        }
    }

    public var description: String {
        switch self {
        case .missing(let r): r.count == 1 ? "seq \(r.lowerBound) is missing" : "seqs \(r.lowerBound)–\(r.upperBound) are missing"
        case .edited(let s): "seq \(s) was edited: its digest does not match the prev recorded by seq \(s + 1)"
        case .inserted(let s): "seq \(s) was inserted: seq \(s + 1) links to the event before it"
        case .reordered(let s, let after): "seq \(s) is out of order: it comes after seq \(after)"
        case .badLink(let s, let reason): "seq \(s): \(reason)"
        case .conflict(let s): "seq \(s) appears twice with different content"
        }
    }
}

/// The result of checking a session's events against their hash chain.
public struct ChainReport: Sendable, Hashable {
    public var eventCount: Int
    /// Highest seq seen (nil for no events).
    public var lastSeq: UInt64?
    public var findings: [ChainFinding]
    public var isIntact: Bool { findings.isEmpty }

    /// Digest of the last event of the verified chain: the value an external anchor would record.
    public var headDigest: Digest?
}

/// Checks a session's events — in the order they were received or stored — against their chain.
///
/// The verifier classifies each break: a seq gap is `missing`; a link that skips an event marks
/// that event `inserted`; a single broken link blames the earlier event (`edited`); two broken
/// links in a row blame the event between them (its `prev` was edited). Events that appear after
/// a higher seq are `reordered`. An edit of the very last event cannot be detected by the chain
/// alone — only by comparing `headDigest` with an anchor kept elsewhere.
public enum ChainVerifier {
    private enum Link: Equatable {
        case ok, skipsPredecessor, predecessorMovedUp, predecessorMovedDown, pointsToSuccessor, broken
    }

    public static func verify(_ events: [Event]) -> ChainReport {
        var findings: [ChainFinding] = []
        // Order as received.
        var highest: UInt64? = nil
        for event in events {
            if let h = highest, event.seq < h { findings.append(.reordered(seq: event.seq, after: h)) }
            highest = max(highest ?? event.seq, event.seq)
        }
        // Group by seq; digests computed once.
        var bySeq: [UInt64: [(event: Event, digest: Digest)]] = [:]
        for event in events {
            let digest = event.digest
            if let existing = bySeq[event.seq], existing.contains(where: { $0.digest == digest }) { continue }
            bySeq[event.seq, default: []].append((event, digest))
        }
        let seqs = bySeq.keys.sorted()
        // Resolve duplicate seqs: keep the one its successor links to.
        var chosen: [UInt64: (event: Event, digest: Digest)] = [:]
        for seq in seqs {
            let candidates = bySeq[seq]!
            if candidates.count == 1 { chosen[seq] = candidates[0]; continue }
            let successorPrevs = Set(bySeq[seq + 1]?.compactMap { $0.event.prev } ?? [])
            let linked = candidates.first { successorPrevs.contains($0.digest) } ?? candidates[0]
            chosen[seq] = linked
            findings.append(successorPrevs.isEmpty ? .conflict(seq: seq) : .inserted(seq: seq))
        }
        guard let first = seqs.first, let last = seqs.last else {
            return ChainReport(eventCount: 0, lastSeq: nil, findings: findings, headDigest: nil)
        }
        if first > 0 { findings.append(.missing(0...(first - 1))) }
        // Classify every link between consecutive seqs.
        func digest(_ event: Event, at seq: UInt64) -> Digest {
            var moved = event
            moved.seq = seq
            return moved.digest
        }
        var links: [UInt64: Link] = [:]
        var previous: UInt64? = nil
        for seq in seqs {
            let current = chosen[seq]!
            if seq == 0 {
                if current.event.prev != nil { findings.append(.badLink(seq: 0, reason: "the first event must not carry prev")) }
            } else if current.event.prev == nil {
                findings.append(.badLink(seq: seq, reason: "prev is missing"))
            }
            defer { previous = seq }
            guard let p = previous else { continue }
            if seq > p + 1 { findings.append(.missing((p + 1)...(seq - 1))); continue }
            guard let prev = current.event.prev else { continue }
            let before = chosen[p]!
            if prev == before.digest {
                links[seq] = .ok
            } else if p > 0, let twoBack = chosen[p - 1], twoBack.digest == prev {
                links[seq] = .skipsPredecessor
            } else if p > 0, digest(before.event, at: p - 1) == prev {
                links[seq] = .predecessorMovedUp
            } else if digest(before.event, at: seq) == prev {
                links[seq] = .predecessorMovedDown
            } else if let next = chosen[seq + 1], digest(next.event, at: seq) == prev {
                links[seq] = .pointsToSuccessor
            } else {
                links[seq] = .broken
            }
        }
        var handled = Set<UInt64>()
        for seq in links.keys.sorted() where !handled.contains(seq) {
            let next = links[seq + 1]
            switch links[seq]! {
            case .ok, .predecessorMovedUp, .predecessorMovedDown:
                break
            case .skipsPredecessor:
                findings.append(.inserted(seq: seq - 1))
            case .pointsToSuccessor:
                // The events at seq and seq + 1 swapped places (and numbers).
                findings.append(.reordered(seq: seq + 1, after: seq))
                handled.insert(seq + 1)
                handled.insert(seq + 2)
            case .broken:
                if next == .predecessorMovedDown {
                    findings.append(.missing(seq...seq))  // removed, and the later events renumbered
                } else if next == .broken {
                    findings.append(.edited(seq: seq))  // its own prev was changed
                    handled.insert(seq + 1)
                } else {
                    findings.append(.edited(seq: seq - 1))
                }
            }
        }
        findings.sort { $0.seq < $1.seq }
        return ChainReport(eventCount: events.count, lastSeq: last, findings: findings, headDigest: chosen[last]!.digest)
    }
}
