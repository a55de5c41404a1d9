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
