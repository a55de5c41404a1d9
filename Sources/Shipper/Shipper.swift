import Recorder
import Synchronization
import TraceModel

/// Drains a spool into a collector: blobs first, then events in batches; moves each session's
/// acked watermark as the collector confirms. At-least-once on the wire; the collector stores each
/// `(session, seq)` once. Several collector URLs are assumed to front one logical store.
public final class Shipper: Sendable {
    public let spool: Spool
    public let configuration: ShipperConfiguration
    let clock: any ShipperClock
    let clients: [CollectorClient]
    /// Held for a whole pass: passes never overlap.
    private let state: Mutex<ShipperState>

    /// `seed` fixes the backoff jitter (tests); nil seeds it from the system.
    public init(spool: Spool, configuration: ShipperConfiguration, clock: any ShipperClock = SystemClock(),
                seed: UInt64? = nil) throws(ShipperError) {
        try configuration.validate()
        var clients: [CollectorClient] = []
        for url in configuration.collectors {
            do {
                clients.append(try CollectorClient(url: url, token: configuration.token, timeout: configuration.requestTimeout))
            } catch {
                throw ShipperError(.configuration, error.message, collector: url)
            }
        }
        self.spool = spool
        self.configuration = configuration
        self.clock = clock
        self.clients = clients
        state = Mutex(ShipperState(pool: CollectorPool(urls: configuration.collectors),
                                   random: SplitMix64(seed: seed ?? UInt64.random(in: 0...UInt64.max))))
    }

    /// Which collector URLs are up, down, and preferred.
    public var pool: CollectorPool { state.withLock { $0.pool } }

    /// One pass over the spool: every blob it holds, then every session's events after its
    /// watermark. Never throws: what failed is in the report, and stays in the spool.
    public func shipOnce(signal: ShipperSignal? = nil) -> ShipReport {
        state.withLock { state in
            var pass = ShipPass(shipper: self, state: state, signal: signal)
            pass.run()
            state = pass.state
            return pass.report
        }
    }

    /// Ships, then waits for new events (every `pollInterval`, or at once on `signal.nudge()`), until
    /// `signal.stop()`. After a pass that could not deliver it backs off exponentially with jitter.
    public func follow(signal: ShipperSignal, onPass: (ShipReport) -> Void = { _ in }) {
        var failedPasses = 0
        while !signal.isStopped {
            let report = shipOnce(signal: signal)
            if signal.isStopped { break }
            onPass(report)
            if report.errors.contains(where: \.stopsDelivery) {
                let wait = state.withLock { state in
                    configuration.backoff.delay(attempt: failedPasses, using: &state.random)
                }
                failedPasses += 1
                // Backing off is not cut short by a nudge, only by stop.
                let until = clock.now() + wait
                while !signal.isStopped && clock.now() < until { clock.sleep(until - clock.now(), signal: signal) }
            } else {
                failedPasses = 0
                clock.sleep(configuration.pollInterval, signal: signal)
            }
        }
    }
}

extension ShipperError {
    /// A failure of the collector link (as opposed to one session's spool): worth backing off for.
    var stopsDelivery: Bool { [.unavailable, .refused, .malformedReply].contains(code) }
}
