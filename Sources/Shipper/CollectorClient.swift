import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization

/// A small blocking HTTP client for the collector's API (the CLI's read verbs; later the shipper).
public struct CollectorClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let baseURL: URL
    public let token: String?
    public let timeout: Double

    /// `url` like `http://collector:7437` (a trailing slash is fine).
    public init(url: String, token: String?, timeout: Double = 30) throws(Failure) {
        guard let parsed = URL(string: url.hasSuffix("/") ? String(url.dropLast()) : url),
              let scheme = parsed.scheme, ["http", "https"].contains(scheme), parsed.host != nil else {
            throw Failure(message: "\"\(url)\" is not an http:// or https:// collector URL")
        }
        baseURL = parsed
        self.token = token
        self.timeout = timeout
    }

    public func request(_ method: String, _ path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
                        body: [UInt8]? = nil) throws(Failure) -> Response {
        guard var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false) else {
            throw Failure(message: "cannot build a URL for \(path)")
        }
        if !query.isEmpty { components.queryItems = query.map { URLQueryItem(name: $0.0, value: $0.1) } }
        guard let url = components.url else { throw Failure(message: "cannot build a URL for \(path)") }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body) }
        let outcome = Mutex<Result<Response, Failure>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        let task = session.dataTask(with: request) { data, response, error in
            let result: Result<Response, Failure>
            if let error {
                result = .failure(Failure(message: "cannot reach the collector at \(baseURL.absoluteString): \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse {
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { headers[String(describing: k).lowercased()] = String(describing: v) }
                result = .success(Response(status: http.statusCode, headers: headers, body: [UInt8](data ?? Data())))
            } else {
                result = .failure(Failure(message: "no HTTP response from \(baseURL.absoluteString)"))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }
        task.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        return try outcome.withLock { $0! }.get()
    }
}
