import Shipper
import Testing
import TraceModel

@Suite struct ShipperBackoffTests {
    @Test func ceilingsDoubleUpToTheMaximum() {
        let backoff = Backoff(base: 1, max: 60)
        #expect((0...8).map { backoff.ceiling(attempt: $0) } == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(backoff.ceiling(attempt: 10_000) == 60)
        #expect(backoff.ceiling(attempt: -3) == 1)
    }

    @Test func fullJitterStaysWithinZeroAndTheCeiling() {
        let backoff = Backoff(base: 0.5, max: 30, jitter: 1)
        var generator = SplitMix64(seed: 42)
        var sawSmall = false
        var sawLarge = false
        for attempt in 0..<12 {
            for _ in 0..<200 {
                let delay = backoff.delay(attempt: attempt, using: &generator)
                let ceiling = backoff.ceiling(attempt: attempt)
                #expect(delay >= 0 && delay <= ceiling, "attempt \(attempt): \(delay) outside [0, \(ceiling)]")
                if delay < ceiling * 0.1 { sawSmall = true }
                if delay > ceiling * 0.9 { sawLarge = true }
            }
        }
        #expect(sawSmall && sawLarge, "full jitter should spread over the whole range")
    }

    @Test func partialJitterKeepsTheFloor() {
        let backoff = Backoff(base: 2, max: 60, jitter: 0.25)
        var generator = SplitMix64(seed: 7)
        for attempt in 0..<8 {
            let ceiling = backoff.ceiling(attempt: attempt)
            let delay = backoff.delay(attempt: attempt, using: &generator)
            #expect(delay >= ceiling * 0.75 && delay <= ceiling)
        }
        var other = SplitMix64(seed: 1)
        #expect(Backoff(base: 2, max: 60, jitter: 0).delay(attempt: 3, using: &other) == 16)
    }

    @Test func theSameSeedGivesTheSameWaits() {
        let backoff = Backoff()
        var a = SplitMix64(seed: 99)
        var b = SplitMix64(seed: 99)
        let first = (0..<10).map { backoff.delay(attempt: $0, using: &a) }
        let second = (0..<10).map { backoff.delay(attempt: $0, using: &b) }
        #expect(first == second)
    }

    @Test func retryAfterIsAFloor() {
        let backoff = Backoff(base: 1, max: 60)
        var generator = SplitMix64(seed: 3)
        for _ in 0..<100 { #expect(backoff.delay(attempt: 0, retryAfter: 5, using: &generator) >= 5) }
        #expect(backoff.delay(attempt: 0, retryAfter: nil, using: &generator) <= 1)
    }

    @Test func outOfRangeSettingsAreClamped() {
        let backoff = Backoff(base: -1, max: -5, jitter: 7)
        #expect(backoff.base == 0 && backoff.max == 0 && backoff.jitter == 1)
        var generator = SplitMix64(seed: 1)
        #expect(backoff.delay(attempt: 5, using: &generator) == 0)
    }
}

@Suite struct ShipperPoolTests {
    let noJitter = Backoff(base: 1, max: 60, jitter: 0)

    @Test func triesURLsInOrderAndFailsOver() {
        var pool = CollectorPool(urls: ["http://a", "http://b", "http://c"])
        var generator = SplitMix64(seed: 1)
        #expect(pool.choose(now: 0) == .init(index: 0, wait: 0))
        pool.failed(0, now: 0, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 0) == .init(index: 1, wait: 0))
        pool.failed(1, now: 0, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 0) == .init(index: 2, wait: 0))
    }

    @Test func remembersTheLastURLThatAnswered() {
        var pool = CollectorPool(urls: ["http://a", "http://b", "http://c"])
        var generator = SplitMix64(seed: 1)
        pool.failed(0, now: 0, backoff: noJitter, using: &generator)
        pool.succeeded(1)
        #expect(pool.preferred == 1)
        // Even once a is back, b stays first until it fails.
        #expect(pool.choose(now: 100) == .init(index: 1, wait: 0))
        pool.failed(1, now: 100, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 100) == .init(index: 0, wait: 0))
    }

    @Test func aDownURLComesBackAfterItsBackoff() {
        var pool = CollectorPool(urls: ["http://a"])
        var generator = SplitMix64(seed: 1)
        pool.failed(0, now: 10, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 10) == .init(index: 0, wait: 1))
        pool.failed(0, now: 11, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 11) == .init(index: 0, wait: 2))
        pool.failed(0, now: 13, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 13) == .init(index: 0, wait: 4))
        #expect(pool.choose(now: 17) == .init(index: 0, wait: 0))
        pool.succeeded(0)
        #expect(pool.members[0].failures == 0 && pool.members[0].downUntil == nil)
    }

    @Test func whenAllAreDownTheSoonestIsChosen() {
        var pool = CollectorPool(urls: ["http://a", "http://b"])
        var generator = SplitMix64(seed: 1)
        pool.failed(0, now: 0, retryAfter: 30, backoff: noJitter, using: &generator)
        pool.failed(1, now: 0, backoff: noJitter, using: &generator)
        #expect(pool.choose(now: 0) == .init(index: 1, wait: 1))
        #expect(pool.choose(now: 0.5) == .init(index: 1, wait: 0.5))
    }

    @Test func retryAfterKeepsAURLDownAtLeastThatLong() {
        var pool = CollectorPool(urls: ["http://a"])
        var generator = SplitMix64(seed: 5)
        let wait = pool.failed(0, now: 0, retryAfter: 7, backoff: Backoff(), using: &generator)
        #expect(wait >= 7)
        #expect(pool.choose(now: 6.9).wait > 0)
    }
}
