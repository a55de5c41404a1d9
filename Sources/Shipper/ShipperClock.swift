import Foundation

/// The time and the waiting a shipper does, injected so tests can check waits without taking them.
public protocol ShipperClock: Sendable {
    /// Seconds on a monotonic clock.
    func now() -> Double
    /// Waits `seconds`, or less when `signal` is stopped or nudged meanwhile.
    func sleep(_ seconds: Double, signal: ShipperSignal?)
}

/// The real monotonic clock and real waits.
public struct SystemClock: ShipperClock {
    public init() {}

    public func now() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    public func sleep(_ seconds: Double, signal: ShipperSignal?) {
        guard seconds > 0 else { return }
        if let signal {
            signal.wait(seconds)
        } else {
            Thread.sleep(forTimeInterval: seconds)
        }
    }
}

/// Tells a following shipper to stop, or to look at the spool again now.
public final class ShipperSignal: @unchecked Sendable {
    // @unchecked: `stopped` and `nudged` are only read or written with `condition` locked.
    private let condition = NSCondition()
    private var stopped = false
    private var nudged = false

    public init() {}

    /// Ends `follow` after the request in flight; wakes any wait.
    public func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Ends the current wait early (new events were written).
    public func nudge() {
        condition.lock()
        nudged = true
        condition.broadcast()
        condition.unlock()
    }

    public var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// Waits up to `seconds`, returning early on `stop` or `nudge`. A nudge that came before the
    /// wait ends it at once, so none is lost.
    public func wait(_ seconds: Double) {
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopped && !nudged {
            if !condition.wait(until: deadline) { break }
        }
        nudged = false
    }
}
