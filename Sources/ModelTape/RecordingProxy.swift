/// The model-API recording proxy as one running thing: a `StreamingHTTPServer` on 127.0.0.1 whose
/// handler is a `ModelProxy` recording into a sink.
public final class RecordingProxy: Sendable {
    public let proxy: ModelProxy
    private let server: StreamingHTTPServer

    public init(configuration: ModelProxyConfiguration, sink: any ModelEventSink) throws(ProxyServerError) {
        try configuration.validate()
        proxy = ModelProxy(configuration: configuration, sink: sink)
        server = StreamingHTTPServer(handler: proxy)
    }

    /// Listens on 127.0.0.1 (`port` 0: any free port) and returns the base URLs to give the agent.
    @discardableResult
    public func start(port: UInt16 = 0) throws(ProxyServerError) -> ModelBaseURLs {
        try server.start(port: port)
        return ModelBaseURLs(port: server.port)
    }

    public var baseURLs: ModelBaseURLs { ModelBaseURLs(port: server.port) }

    /// Cancels upstream calls still running (each recorded as broken off), waits up to
    /// `timeoutSeconds` for their events, then stops serving. Returns false if recording timed out.
    @discardableResult
    public func stop(timeoutSeconds: Double = 10) -> Bool {
        let recorded = proxy.cancelAll(timeoutSeconds: timeoutSeconds)
        server.stop()
        return recorded
    }
}
