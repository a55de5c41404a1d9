import CMicroHTTPD
import CMicroHTTPDShim

// The C callbacks handed to libmicrohttpd: global functions (never closures), because libmicrohttpd
// calls them on its connection threads. `cls` is the unretained StreamingServerContext, which
// outlives the daemon.

private let contentReaderEndOfStream = -1
private let contentReaderEndWithError = -2

/// One request from its request line to its completion; retained in MHD's `*con_cls` and touched
/// only by the connection's thread.
final class StreamingExchange {
    let target: String
    var method = ""
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var headersRead = false
    var tooLarge = false

    init(target: String) { self.target = target }
}

@available(*, unavailable)
extension StreamingExchange: Sendable {}

/// The body of a streamed reply as the content-reader callback sees it: the stream plus the part of
/// a chunk that did not fit into libmicrohttpd's buffer last time.
final class StreamingReplyBody {
    let stream: ChunkStream
    let context: StreamingServerContext
    var pending: [UInt8] = []
    var pendingOffset = 0

    init(stream: ChunkStream, context: StreamingServerContext) {
        self.stream = stream
        self.context = context
    }
}

@available(*, unavailable)
extension StreamingReplyBody: Sendable {}

private func context(_ cls: UnsafeMutableRawPointer?) -> StreamingServerContext {
    Unmanaged<StreamingServerContext>.fromOpaque(cls!).takeUnretainedValue()
}

/// MHD_OPTION_URI_LOG_CALLBACK: a request line was read; the exchange becomes `*con_cls`.
func streamingRequestStarted(
    _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    let exchange = StreamingExchange(target: uri.flatMap { String(validatingCString: $0) } ?? "")
    return Unmanaged.passRetained(exchange).toOpaque()
}

/// MHD_OPTION_NOTIFY_COMPLETED: releases the exchange.
func streamingRequestCompleted(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode
) {
    guard let requestContext, let raw = requestContext.pointee else { return }
    requestContext.pointee = nil
    Unmanaged<StreamingExchange>.fromOpaque(raw).release()
}

/// The access handler: headers, then each piece of body, then a last call with none.
func streamingAccess(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let connection, let uploadDataSize, let requestContext else { return .NO }
    let server = context(cls)
    let exchange: StreamingExchange
    if let raw = requestContext.pointee {
        exchange = Unmanaged<StreamingExchange>.fromOpaque(raw).takeUnretainedValue()
    } else {
        exchange = StreamingExchange(target: url.map { String(cString: $0) } ?? "")
        requestContext.pointee = Unmanaged.passRetained(exchange).toOpaque()
    }
    if !exchange.headersRead {
        exchange.headersRead = true
        exchange.method = method.map { String(cString: $0) } ?? ""
        withUnsafeMutablePointer(to: &exchange.headers) { pointer in
            _ = MHD_get_connection_values_n(connection, .HEADER_KIND, streamingCollectHeader, pointer)
        }
        return .YES
    }
    if uploadDataSize.pointee > 0 {
        if exchange.body.count + uploadDataSize.pointee > server.maxBodyBytes {
            exchange.tooLarge = true
            exchange.body = []
        } else if !exchange.tooLarge, let uploadData {
            exchange.body.append(contentsOf: UnsafeRawBufferPointer(start: uploadData, count: uploadDataSize.pointee))
        }
        uploadDataSize.pointee = 0
        return .YES
    }
    let reply: ProxyReply
    if exchange.tooLarge {
        reply = .error(413, type: "request_too_large", message: "the request body is larger than \(server.maxBodyBytes) bytes")
    } else {
        let request = ProxyRequest(method: exchange.method, target: exchange.target, headers: exchange.headers, body: exchange.body)
        exchange.body = []
        reply = server.handler.handle(request)
    }
    return queue(reply, on: connection, server: server)
}

private func queue(_ reply: ProxyReply, on connection: OpaquePointer, server: StreamingServerContext) -> MHD_Result {
    let response: OpaquePointer?
    switch reply.body {
    case .bytes(let bytes):
        response = bytes.withUnsafeBytes { raw in
            MHD_create_response_from_buffer(raw.count, UnsafeMutableRawPointer(mutating: raw.baseAddress), .RESPMEM_MUST_COPY)
        }
    case .stream(let stream):
        server.register(stream)
        if server.stopping.load(ordering: .acquiring) { stream.fail("the server is stopping") }
        let body = Unmanaged.passRetained(StreamingReplyBody(stream: stream, context: server)).toOpaque()
        response = MHD_create_response_from_callback(UInt64.max, 32 << 10, streamingReadBody, body, streamingFreeBody)
        if response == nil { streamingFreeBody(body) }
    }
    guard let response else { return .NO }
    defer { MHD_destroy_response(response) }
    for (name, value) in reply.headers {
        switch name.lowercased() {
        case "content-length", "transfer-encoding", "connection", "keep-alive": continue
        default: _ = MHD_add_response_header(response, name, value)
        }
    }
    let status = (200...599).contains(reply.status) ? reply.status : 502
    return MHD_queue_response(connection, UInt32(status), response)
}

/// The content reader: hands libmicrohttpd the next chunk (or as much of it as fits), blocking until
/// one is pushed. Each chunk becomes its own write to the client.
func streamingReadBody(_ cls: UnsafeMutableRawPointer?, _ position: UInt64, _ buffer: UnsafeMutablePointer<CChar>?, _ max: Int) -> Int {
    guard let cls, let buffer, max > 0 else { return contentReaderEndWithError }
    let body = Unmanaged<StreamingReplyBody>.fromOpaque(cls).takeUnretainedValue()
    if body.pendingOffset >= body.pending.count {
        switch body.stream.next() {
        case .chunk(let chunk):
            body.pending = chunk
            body.pendingOffset = 0
        case .end:
            return contentReaderEndOfStream
        case .failed:
            return contentReaderEndWithError
        }
    }
    let count = min(max, body.pending.count - body.pendingOffset)
    body.pending.withUnsafeBytes { raw in
        UnsafeMutableRawPointer(buffer).copyMemory(from: raw.baseAddress! + body.pendingOffset, byteCount: count)
    }
    body.pendingOffset += count
    return count
}

/// The response is gone (sent, or the client left): the producer's later pushes are dropped.
func streamingFreeBody(_ cls: UnsafeMutableRawPointer?) {
    guard let cls else { return }
    let body = Unmanaged<StreamingReplyBody>.fromOpaque(cls).takeRetainedValue()
    body.stream.abandon()
    body.context.unregister(body.stream)
}

/// MHD_get_connection_values_n iterator collecting headers in order.
func streamingCollectHeader(
    _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?, _ keySize: Int,
    _ value: UnsafePointer<CChar>?, _ valueSize: Int
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let headers = cls.assumingMemoryBound(to: [(name: String, value: String)].self)
    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
    headers.pointee.append((name, text))
    return .YES
}
