import CLIKit
import Foundation
import Recorder
import Shipper

/// Ships the spool to the collector while `parallax record` runs, then makes one last pass when
/// the command ends; whatever is still undelivered stays in the spool for `parallax ship`.
final class BackgroundShipping: @unchecked Sendable {
    // @unchecked: `finished` is signalled once by the shipping thread and waited on once.
    let shipper: Shipper
    let signal = ShipperSignal()
    let finished = DispatchSemaphore(value: 0)
    let console: Console

    /// Nil when no `--collector` was given.
    init?(arguments: Arguments, environment: [String: String], spool: Spool, console: Console) throws {
        let urls = arguments.all("collector")
        guard !urls.isEmpty else { return nil }
        var configuration = ShipperConfiguration(
            collectors: urls, token: ShipperConfiguration.token(explicit: arguments.option("token"), environment: environment))
        configuration.requestTimeout = 10
        do {
            shipper = try Shipper(spool: spool, configuration: configuration)
        } catch {
            throw CommandFailure(.usage, "\(error)")
        }
        self.console = console
    }

    func start() {
        let shipper = self.shipper, signal = self.signal, finished = self.finished
        Thread.detachNewThread {
            shipper.follow(signal: signal)
            finished.signal()
        }
    }

    /// Stops following, then makes one last pass and says what is left.
    func finish() {
        signal.stop()
        finished.wait()
        let report = shipper.shipOnce()
        if report.delivered {
            console.error("parallax record: shipped to \(shipper.configuration.collectors.joined(separator: ", "))")
        } else {
            let reasons = report.errors.map(\.description).joined(separator: "; ")
            console.error("parallax record: not everything was delivered (\(reasons)); it stays in the spool: run parallax ship --spool \(shipper.spool.path) --collector URL")
        }
    }
}
