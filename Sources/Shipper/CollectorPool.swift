/// Failover across several collector URLs. A pure state machine: the caller supplies the time and
/// the random source and performs the requests.
///
/// URLs are tried in the configured order, starting with the last one that answered. A URL that
/// fails (connection error, timeout, 5xx, 429/503) is down until its backoff — or the
/// `Retry-After` it sent — has passed.
public struct CollectorPool: Sendable, Equatable {
    public struct Member: Sendable, Equatable {
        public let url: String
        /// Failures in a row since the last answer.
        public var failures = 0
        /// Monotonic time (seconds) before which the URL is not tried again; nil when it is up.
        public var downUntil: Double?
    }

    /// What to do next.
    public struct Choice: Sendable, Equatable {
        public var index: Int
        /// Seconds to wait before using it (0 when it is up now).
        public var wait: Double

        public init(index: Int, wait: Double) {
            self.index = index
            self.wait = wait
        }
    }

    public private(set) var members: [Member]
    /// The index of the last URL that answered; tried first.
    public private(set) var preferred = 0

    public init(urls: [String]) {
        precondition(!urls.isEmpty, "a collector pool needs at least one URL")
        members = urls.map { Member(url: $0) }
    }

    public func url(_ index: Int) -> String { members[index].url }

    /// The order URLs are considered in: the preferred one, then the others as configured.
    var order: [Int] { [preferred] + members.indices.filter { $0 != preferred } }

    /// The first URL that is up at `now`; when all are down, the one back soonest and how long until then.
    public func choose(now: Double) -> Choice {
        var soonest: Choice?
        for index in order {
            guard let until = members[index].downUntil, until > now else { return Choice(index: index, wait: 0) }
            if soonest == nil || until - now < soonest!.wait { soonest = Choice(index: index, wait: until - now) }
        }
        return soonest!
    }

    /// The URL answered (any status a retry would not change): it is up and becomes the preferred one.
    public mutating func succeeded(_ index: Int) {
        members[index].failures = 0
        members[index].downUntil = nil
        preferred = index
    }

    /// The URL failed at `now`: down for its next backoff, and never less than `retryAfter` seconds.
    /// Returns the seconds it stays down.
    @discardableResult
    public mutating func failed(_ index: Int, now: Double, retryAfter: Double? = nil, backoff: Backoff,
                                using generator: inout some RandomNumberGenerator) -> Double {
        let wait = backoff.delay(attempt: members[index].failures, retryAfter: retryAfter, using: &generator)
        members[index].failures += 1
        members[index].downUntil = now + wait
        return wait
    }
}
