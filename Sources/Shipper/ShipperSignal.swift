import Foundation

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
