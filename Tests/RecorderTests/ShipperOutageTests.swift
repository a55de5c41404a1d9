import Foundation
import Recorder
import Shipper
import Synchronization
import Testing
import TraceModel
import TraceWire

/// The shipper when collectors are down, busy or broken.
@Suite struct ShipperOutageTests {
    @Test func aStoppedCollectorLosesNothingAndDeliveryCompletesWhenItReturns() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let clock = ShipperFixture.ManualClock()
        let shipper = try Shipper(spool: spool, configuration: collector.shipping(), clock: clock, seed: 1)
        let recorder = try ShipperFixture.recordSession(spool, messages: 3)
        defer { recorder.close() }
        #expect(shipper.shipOnce().errors.isEmpty)

        collector.stop()
        for i in 0..<10 { try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": "assistant", "text": .string("offline \(i)")])) }
        try recorder.sync()
        let failed = shipper.shipOnce()
        #expect(failed.errors.map(\.code) == [.unavailable], "\(failed.errors)")
        #expect(!failed.delivered)
        #expect(try spool.ackedSeq(of: recorder.session) == 3, "nothing is acknowledged while the collector is away")
        #expect(try ShipperFixture.records(spool, recorder.session).count == 14, "nothing leaves the spool")
        #expect(clock.sleeps.count == ShipperConfiguration(collectors: []).attempts - 1, "it backed off between attempts: \(clock.sleeps)")

        try collector.restart()
        let recovered = shipper.shipOnce()
        #expect(recovered.errors.isEmpty, "\(recovered.errors)")
        #expect(recovered.session(recorder.session)?.accepted == 10)
        #expect(try spool.ackedSeq(of: recorder.session) == 13)
        #expect(try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(ShipperFixture.records(spool, recorder.session)))
    }

    @Test func aDeadFirstURLFailsOverToTheNextAndTheLiveOneIsRemembered() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 2, end: true)
        let written = try ShipperFixture.records(spool, recorder.session)
        recorder.close()
        let dead = "http://127.0.0.1:\(ShipperFixture.deadPort())"
        let shipper = try Shipper(spool: spool, configuration: collector.shipping([dead, collector.url]), clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(report.collectors == [collector.url])
        #expect(try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(written))
        #expect(shipper.pool.preferred == 1)
        #expect(shipper.pool.members[0].failures == 1 && shipper.pool.members[0].downUntil != nil)
    }

    @Test(arguments: [(503, 1.0), (429, 3.0)])
    func retryAfterIsHonored(status: Int, seconds: Double) throws {
        let collector = try RecorderCollector()
        let proxy = try ScriptedHTTPServer { request, index in
            if index == 0 {
                return .json(status, #"{"error":"busy","message":"come back later"}"#, headers: [("Retry-After", String(Int(seconds)))])
            }
            return .forward(request, to: collector.url, token: collector.ingest.token)
        }
        defer { proxy.stop() }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 2)
        defer { recorder.close() }
        let clock = ShipperFixture.ManualClock()
        let shipper = try Shipper(spool: spool, configuration: collector.shipping([proxy.url]), clock: clock, seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(clock.sleeps.count == 1 && clock.sleeps[0] >= seconds, "waited \(clock.sleeps), asked for \(seconds) s")
        #expect(proxy.requests.map(\.method) == ["POST", "POST"])
        #expect(try collector.storedEvents(recorder.session).split(separator: 0x0A).count == 3)
    }

    /// A clock whose first wait ends at once, as a nudge ends it.
    final class NudgedClock: ShipperClock {
        private let state = Mutex<(now: Double, sleeps: [Double])>((0, []))
        func now() -> Double { state.withLock { $0.now } }
        func sleep(_ seconds: Double, signal: ShipperSignal?) {
            state.withLock {
                if !$0.sleeps.isEmpty { $0.now += seconds }
                $0.sleeps.append(seconds)
            }
        }
        var sleeps: [Double] { state.withLock { $0.sleeps } }
    }

    @Test func aNudgeDoesNotCutRetryAfterShort() throws {
        let collector = try RecorderCollector()
        let proxy = try ScriptedHTTPServer { request, index in
            index == 0 ? .json(503, #"{"error":"busy","message":"later"}"#, headers: [("Retry-After", "2")])
                : .forward(request, to: collector.url, token: collector.ingest.token)
        }
        defer { proxy.stop() }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 1)
        defer { recorder.close() }
        let clock = NudgedClock()
        let shipper = try Shipper(spool: spool, configuration: collector.shipping([proxy.url]), clock: clock, seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(clock.sleeps.count == 2 && clock.now() >= 2, "after the early wake it waited again: \(clock.sleeps)")
        #expect(proxy.requests.count == 2)
    }

    @Test func aRetryAfterLongerThanTheBackoffCeilingEndsThePassWithoutSending() throws {
        let server = try ScriptedHTTPServer { _, _ in .json(503, #"{"error":"draining","message":"maintenance"}"#, headers: [("Retry-After", "3600")]) }
        defer { server.stop() }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 1)
        defer { recorder.close() }
        let clock = ShipperFixture.ManualClock()
        let shipper = try Shipper(spool: spool, configuration: ShipperConfiguration(collectors: [server.url], token: "px_t"), clock: clock, seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.map(\.code) == [.unavailable])
        #expect(report.errors.first?.message.contains("3600") == true, "\(report.errors)")
        #expect(clock.sleeps.isEmpty)
        // The next pass does not knock before the hour is up either.
        _ = shipper.shipOnce()
        #expect(server.requests.count == 1)
    }

    @Test(arguments: [
        "this is not JSON",
        #"{"accepted":1}"#,
        #"{"accepted":5,"duplicates":0,"rejected":[],"acked":{}}"#,
        #"{"accepted":0,"duplicates":0,"rejected":[{"line":99,"reason":"x"}],"acked":{}}"#,
        #"[]"#,
    ])
    func aMalformedReplyIsAnErrorNotACrashAndAcknowledgesNothing(body: String) throws {
        let server = try ScriptedHTTPServer { _, _ in .json(200, body) }
        defer { server.stop() }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 1)
        defer { recorder.close() }
        let shipper = try Shipper(spool: spool, configuration: ShipperConfiguration(collectors: [server.url], token: "px_t"),
                                  clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.map(\.code) == [.malformedReply], "\(report.errors)")
        #expect(report.errors.first?.collector == server.url)
        #expect(try spool.ackedSeq(of: recorder.session) == nil)
        #expect(try ShipperFixture.records(spool, recorder.session).count == 2)
    }

    @Test func aRefusedTokenStopsThePassWithTheCollectorsMessage() throws {
        let collector = try RecorderCollector()
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 1)
        defer { recorder.close() }
        var configuration = collector.shipping()
        configuration.token = "px_not_a_real_token"
        let shipper = try Shipper(spool: spool, configuration: configuration, clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.map(\.code) == [.refused], "\(report.errors)")
        #expect(report.errors.first?.message.contains("401") == true)
        #expect(!report.errors.description.contains("px_not_a_real_token"))
        #expect(try spool.ackedSeq(of: recorder.session) == nil)
    }

    @Test func aBatchTheCollectorFindsTooLargeIsSplit() throws {
        let collector = try RecorderCollector { $0.maxEventBodyBytes = 6000 }
        let spool = try ShipperFixture.spool()
        let recorder = try ShipperFixture.recordSession(spool, messages: 0)
        defer { recorder.close() }
        var generator = SplitMix64(seed: 11)
        for _ in 0..<24 {
            let noise = (0..<900).map { _ in String(UInt8.random(in: 0...15, using: &generator), radix: 16) }.joined()
            try recorder.record(EventDraft(kind: .message, actor: .agent, data: ["role": "assistant", "text": .string(noise)]))
        }
        try recorder.sync()
        let statuses = Mutex<[Int]>([])
        let proxy = try ScriptedHTTPServer { request, _ in
            let reply = ScriptedReply.forward(request, to: collector.url, token: collector.ingest.token)
            statuses.withLock { $0.append(reply.status) }
            return reply
        }
        defer { proxy.stop() }
        let shipper = try Shipper(spool: spool, configuration: collector.shipping([proxy.url]), clock: ShipperFixture.ManualClock(), seed: 1)
        let report = shipper.shipOnce()
        #expect(report.errors.isEmpty, "\(report.errors)")
        #expect(statuses.withLock { $0 }.first == 413, "the whole batch is too large: \(statuses.withLock { $0 })")
        #expect(statuses.withLock { $0 }.filter { $0 == 200 }.count >= 2)
        #expect(report.session(recorder.session)?.accepted == 25)
        #expect(try collector.storedEvents(recorder.session) == ShipperFixture.ndjson(ShipperFixture.records(spool, recorder.session)))
    }
}
