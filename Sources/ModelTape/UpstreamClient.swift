import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// What an upstream call reports, in order: a head, chunks of body as they arrive, then one of
/// `finished` or `failed` (a call that fails before its head reports only `failed`).
public enum UpstreamEvent: Sendable, Equatable {
    case head(status: Int, headers: [String: String])
    case chunk([UInt8])
    case finished
    case failed(String)
}

/// The HTTP(S) client the proxy forwards through: URLSession with a delegate, so each piece of a
/// streamed body is handed on the moment it arrives. Redirects are not followed (the client sees
/// them); a body that stays silent for `idleTimeoutSeconds` fails the call.
public final class UpstreamClient: Sendable {
    private let session: URLSession
    private let delegate: UpstreamSessionDelegate

    public init(idleTimeoutSeconds: Double = 600) {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = idleTimeoutSeconds
        configuration.timeoutIntervalForResource = 24 * 3600
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        configuration.urlCache = nil
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpMaximumConnectionsPerHost = 64
        delegate = UpstreamSessionDelegate()
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        queue.name = "parallax.model-proxy.upstream"
        session = URLSession(configuration: configuration, delegate: delegate, delegateQueue: queue)
    }

    deinit { session.invalidateAndCancel() }

    /// Starts a call; `events` is called on the client's delegate queue, one event at a time.
    /// Returns a handle that cancels the call.
    @discardableResult
    public func send(method: String, url: URL, headers: [(name: String, value: String)], body: [UInt8],
                     events: @escaping @Sendable (UpstreamEvent) -> Void) -> UpstreamCallHandle {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (name, value) in headers { request.addValue(value, forHTTPHeaderField: name) }
        if !body.isEmpty || method == "POST" || method == "PUT" || method == "PATCH" { request.httpBody = Data(body) }
        let task = session.dataTask(with: request)
        delegate.register(task.taskIdentifier, events)
        task.resume()
        return UpstreamCallHandle(task: task)
    }
}

/// Cancels one upstream call.
public struct UpstreamCallHandle: @unchecked Sendable {
    // URLSessionTask is thread-safe for cancel(); it is only not marked Sendable.
    let task: URLSessionTask
    public func cancel() { task.cancel() }
}

/// Routes URLSession's delegate calls to each task's event callback.
final class UpstreamSessionDelegate: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Safe: the only state is the Mutex-guarded table.
    private let calls = Mutex<[Int: @Sendable (UpstreamEvent) -> Void]>([:])

    func register(_ task: Int, _ events: @escaping @Sendable (UpstreamEvent) -> Void) {
        calls.withLock { $0[task] = events }
    }

    private func events(_ task: URLSessionTask) -> (@Sendable (UpstreamEvent) -> Void)? {
        calls.withLock { $0[task.taskIdentifier] }
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        if let http = response as? HTTPURLResponse {
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                guard let name = name as? String, let value = value as? String else { continue }
                headers[name] = value
            }
            events(dataTask)?(.head(status: http.statusCode, headers: headers))
        }
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        events(dataTask)?(.chunk([UInt8](data)))
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        let handler = calls.withLock { $0.removeValue(forKey: task.taskIdentifier) }
        if let error {
            handler?(.failed(error.localizedDescription))
        } else {
            handler?(.finished)
        }
    }
}
