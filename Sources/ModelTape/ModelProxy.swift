import Dispatch
import Foundation
import Synchronization
import TraceModel

/// The recording proxy's request handler: forwards every request to the provider's upstream and
/// relays the answer as it arrives; `POST`s to the model APIs are recorded as `model.request` /
/// `model.response` pairs into `sink`. Other paths (`/v1/models`, …) pass through unrecorded.
public final class ModelProxy: ProxyHandler {
    public let configuration: ModelProxyConfiguration
    private let sink: any ModelEventSink
    private let upstream: UpstreamClient
    private let inFlight = DispatchGroup()
    private let calls = Mutex<[UInt64: UpstreamCallHandle]>([:])
    private let nextCall = Atomic<UInt64>(0)
    private let failures = Atomic<Int>(0)

    public init(configuration: ModelProxyConfiguration, sink: any ModelEventSink) {
        self.configuration = configuration
        self.sink = sink
        upstream = UpstreamClient(idleTimeoutSeconds: configuration.idleTimeoutSeconds)
    }

    /// Model calls whose events could not be recorded (the spool failed); each one's client got an error or a cut body.
    public var recordingFailures: Int { failures.load(ordering: .relaxed) }

    public func handle(_ request: ProxyRequest) -> ProxyReply {
        let api = request.method == "POST" ? ModelAPI(path: request.path) : nil
        let provider = api?.provider ?? Self.provider(of: request)
        guard let url = configuration.upstreamURL(provider, target: request.target) else {
            return .error(400, type: "invalid_request_error", message: "the request target \(request.target) cannot be forwarded")
        }
        var call: ModelCall?
        if let api {
            let canonical: CanonicalRequest
            do {
                canonical = try CanonicalRequest(api: api, body: request.body)
            } catch {
                return .error(400, type: "invalid_request_error", message: error.description)
            }
            do {
                call = try ModelCall.begin(api: api, canonical: canonical, request: request, upstream: url.absoluteString, sink: sink)
            } catch {
                failures.add(1, ordering: .relaxed)
                return .error(503, type: "recorder_error", message: "the call cannot be recorded, so it was not sent: \(error)")
            }
        }
        return forward(request, to: url, call: call)
    }

    /// Which provider an unrecorded path belongs to: Anthropic's clients send `anthropic-version` or `x-api-key`.
    static func provider(of request: ProxyRequest) -> ModelProvider {
        request.header("anthropic-version") != nil || request.header("x-api-key") != nil ? .anthropic : .openai
    }

    private func forward(_ request: ProxyRequest, to url: URL, call: ModelCall?) -> ProxyReply {
        let relay = UpstreamRelay(call: call, upstream: url.absoluteString)
        let id = nextCall.add(1, ordering: .relaxed).newValue
        inFlight.enter()
        let handle = upstream.send(method: request.method, url: url, headers: ProxyHeaders.forwarded(request.headers),
                                   body: request.body) { [self] event in
            let outcome = relay.receive(event)
            if outcome.recordingFailed { failures.add(1, ordering: .relaxed) }
            guard outcome.isTerminal else { return }
            calls.withLock { $0[id] = nil }
            inFlight.leave()
        }
        // The relay is marked done before its entry is removed, so a call that already ended is never added.
        calls.withLock { if !relay.isDone { $0[id] = handle } }
        return relay.waitForReply()
    }

    /// Cancels every upstream call still running (each is recorded as broken off) and waits up to
    /// `timeoutSeconds` for their events to be recorded. Returns false on timeout.
    @discardableResult
    public func cancelAll(timeoutSeconds: Double) -> Bool {
        for handle in calls.withLock({ Array($0.values) }) { handle.cancel() }
        return inFlight.wait(timeout: .now() + timeoutSeconds) == .success
    }

    /// Waits up to `timeoutSeconds` for calls in flight to finish on their own. Returns false on timeout.
    @discardableResult
    public func waitUntilIdle(timeoutSeconds: Double) -> Bool {
        inFlight.wait(timeout: .now() + timeoutSeconds) == .success
    }
}
