import TraceModel

extension ShipPass {
    /// A reply from a collector that answered (any status other than 429, 5xx).
    struct Answer {
        var response: CollectorClient.Response
        var index: Int
        var url: String
    }

    /// Sends one request to the pool's current collector, failing over and backing off on connection
    /// errors, timeouts, 5xx, and 429/503 (never sooner than their `Retry-After`), for at most
    /// `attempts` tries. A wait longer than the backoff ceiling ends the pass instead.
    mutating func perform(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                          session: SessionID? = nil) throws(ShipperError) -> Answer {
        let clock = shipper.clock
        var last = "no attempt was made"
        for _ in 0..<configuration.attempts {
            var choice = state.pool.choose(now: clock.now())
            if choice.wait > configuration.backoff.max {
                throw ShipperError(.unavailable, "every collector asked to wait; the next may be tried in \(Int(choice.wait.rounded(.up))) s (last: \(last))",
                                   collector: state.pool.url(choice.index), session: session)
            }
            // A nudge ends a wait early; the time a collector asked for is waited out all the same.
            while choice.wait > 0 && signal?.isStopped != true {
                clock.sleep(choice.wait, signal: signal)
                choice = state.pool.choose(now: clock.now())
            }
            if signal?.isStopped == true { throw ShipperError(.stopped, "stopped before \(method) \(path) was sent", session: session) }
            let url = state.pool.url(choice.index)
            let response: CollectorClient.Response
            do {
                response = try shipper.clients[choice.index].request(method, path, headers: headers, body: body)
            } catch {
                last = error.message
                state.pool.failed(choice.index, now: clock.now(), backoff: configuration.backoff, using: &state.random)
                continue
            }
            switch response.status {
            case 429, 503:
                last = "\(url) answered \(response.status) (\(response.errorMessage))"
                state.pool.failed(choice.index, now: clock.now(), retryAfter: response.retryAfter ?? 0, backoff: configuration.backoff,
                                  using: &state.random)
            case 500...599:
                last = "\(url) answered \(response.status) (\(response.errorMessage))"
                state.pool.failed(choice.index, now: clock.now(), backoff: configuration.backoff, using: &state.random)
            default:
                state.pool.succeeded(choice.index)
                return Answer(response: response, index: choice.index, url: url)
            }
        }
        throw ShipperError(.unavailable, "no collector took \(method) \(path) in \(configuration.attempts) attempts; last: \(last)", session: session)
    }

    /// The error for an answer resending cannot fix (400, 401, 403, 404, 415 …), with a hint for token trouble.
    func refusal(_ what: String, _ answer: Answer, session: SessionID?) -> ShipperError {
        let status = answer.response.status
        let explanation: String
        switch status {
        case 401: explanation = "the collector does not accept the token; check --token or PARALLAX_TOKEN"
        case 403: explanation = "the token's role may not do this; ship with an ingest token"
        default: explanation = answer.response.errorMessage
        }
        return ShipperError(.refused, "\(what) was refused with \(status): \(explanation)", collector: answer.url, session: session)
    }
}
