import CMicroHTTPD
import CMicroHTTPDShim

/// The request state machine driven by the access handler.
extension HTTPServerContext {
    func access(_ exchange: HTTPExchange, connection: OpaquePointer, method: String,
                upload: UnsafePointer<CChar>?, uploadSize: UnsafeMutablePointer<Int>) -> MHD_Result {
        if exchange.isAnswered {
            uploadSize.pointee = 0
            return .YES
        }
        guard let head = exchange.head else {
            return begin(exchange, connection: connection, method: method)
        }
        if uploadSize.pointee > 0 {
            return receive(exchange, connection: connection, upload: upload, size: uploadSize)
        }
        return finish(exchange, head: head, connection: connection)
    }

    /// Headers complete: build the head, apply limits and the handler's preflight.
    private func begin(_ exchange: HTTPExchange, connection: OpaquePointer, method: String) -> MHD_Result {
        if let state = exchange.connection, !state.beginReceiving() { return .NO }
        var pairs: [(String, String)] = []
        withUnsafeMutablePointer(to: &pairs) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, httpCollectValue, pointer)
        }
        var headers: [String: String] = [:]
        for (name, value) in pairs {
            let key = name.lowercased()
            if let existing = headers[key] { headers[key] = existing + ", " + value } else { headers[key] = value }
        }
        let target = HTTPRequestTarget.parse(exchange.target)
        let contentLength = headers["transfer-encoding"] == nil
            ? headers["content-length"].flatMap { Int(String($0.filter { $0 != " " && $0 != "\t" })) } : nil
        let head = HTTPRequestHead(
            method: method, path: target?.path ?? exchange.target, query: target?.query ?? [:], headers: headers,
            remoteAddress: exchange.connection?.remoteAddress, contentLength: contentLength)
        exchange.head = head
        exchange.isCounted = true
        guard beginRequest() else { return answer(exchange, .draining, connection: connection, closing: true) }
        guard target != nil else { return answer(exchange, .badTarget(exchange.target), connection: connection) }
        exchange.bodyLimit = max(0, handler.bodyLimit(for: head) ?? configuration.maxBodyBytes)
        if let contentLength, contentLength > exchange.bodyLimit {
            return answer(exchange, .bodyTooLarge(limit: exchange.bodyLimit), connection: connection, closing: true)
        }
        if let early = handler.preflight(head) {
            return answer(exchange, early, connection: connection)
        }
        // An announced length is a hint, not a promise: reserve at most 1 MiB before bytes arrive.
        if let contentLength { exchange.body.reserveCapacity(min(contentLength, 1 << 20)) }
        return .YES
    }

    /// A piece of body: check the deadline and the limit, then keep it.
    private func receive(_ exchange: HTTPExchange, connection: OpaquePointer,
                         upload: UnsafePointer<CChar>?, size: UnsafeMutablePointer<Int>) -> MHD_Result {
        switch exchange.connection?.checkDeadline(now: .now, timeout: requestTimeout) ?? .inTime {
        case .alreadyOver:
            return .NO
        case .expiredNow:
            return answerAndClose(exchange, .requestTimeout(configuration.requestTimeoutSeconds), connection: connection)
        case .inTime:
            break
        }
        guard exchange.body.count + size.pointee <= exchange.bodyLimit else {
            exchange.body = []
            return answerAndClose(exchange, .bodyTooLarge(limit: exchange.bodyLimit), connection: connection)
        }
        if let upload {
            exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: upload, count: size.pointee))
        }
        size.pointee = 0
        return .YES
    }

    /// The body is complete: run the handler and queue its response.
    private func finish(_ exchange: HTTPExchange, head: HTTPRequestHead, connection: OpaquePointer) -> MHD_Result {
        if let state = exchange.connection, !state.beginHandling() { return .NO }
        let body = exchange.body
        exchange.body = []
        let response = handler.handle(HTTPRequest(head: head, body: body))
        return answer(exchange, response, connection: connection)
    }

    /// Queues a response through libmicrohttpd (possible before the body and after it).
    private func answer(_ exchange: HTTPExchange, _ response: HTTPResponse, connection: OpaquePointer,
                        closing: Bool = false) -> MHD_Result {
        exchange.isAnswered = true
        exchange.connection?.beginResponding()
        // libmicrohttpd refuses interim (1xx) and out-of-range codes as final replies.
        let status = (200...999).contains(response.status) ? response.status : 500
        let isHead = exchange.head?.method == "HEAD"
        let made = response.body.withUnsafeBytes { bytes in
            MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress),
                                            .RESPMEM_MUST_COPY)
        }
        guard let made else { return .NO }
        defer { MHD_destroy_response(made) }
        for (name, value) in response.headers {
            switch name.lowercased() {
            case "transfer-encoding":
                continue
            case "content-length":
                // Only a reply to HEAD may announce a length it does not carry.
                guard isHead, response.body.isEmpty, mhd_shim_allow_content_length(made) == .YES else { continue }
            default:
                break
            }
            _ = MHD_add_response_header(made, name, value)
        }
        if closing { _ = MHD_add_response_header(made, "Connection", "close") }
        return MHD_queue_response(connection, UInt32(status), made)
    }

    /// Writes a reply straight to the client and closes: libmicrohttpd cannot queue one while it
    /// still expects body bytes. Used when the body passes its limit or the request its deadline.
    private func answerAndClose(_ exchange: HTTPExchange, _ response: HTTPResponse,
                                connection: OpaquePointer) -> MHD_Result {
        exchange.isAnswered = true
        let bytes = response.serializedForClose()
        _ = bytes.withUnsafeBytes { mhd_shim_send_raw(connection, $0.baseAddress, $0.count) }
        return .NO
    }

    /// The request-completed callback: release the request's slot and restart the connection's clock.
    func complete(_ exchange: HTTPExchange) {
        exchange.connection?.requestCompleted(now: .now)
        if exchange.isCounted { endRequest() }
    }
}
