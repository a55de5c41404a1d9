import CMicroHTTPD
import CMicroHTTPDShim

// The C callbacks handed to libmicrohttpd. They are global (hence nonisolated) functions, never
// closures: libmicrohttpd calls them on its own threads. `cls` is the unretained HTTPServerContext,
// which outlives the daemon.

private func serverContext(_ cls: UnsafeMutableRawPointer?) -> HTTPServerContext {
    Unmanaged<HTTPServerContext>.fromOpaque(cls!).takeUnretainedValue()
}

/// MHD_OPTION_NOTIFY_CONNECTION: a connection was accepted or is about to be closed.
func httpConnectionNotification(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_ConnectionNotificationCode
) {
    guard let connection, let socketContext else { return }
    let server = serverContext(cls)
    switch code {
    case .CONNECTION_NOTIFY_STARTED:
        let state = HTTPConnection(
            socket: mhd_shim_connection_fd(connection), isTLS: server.tlsPEM != nil,
            remoteAddress: clientAddress(connection), now: .now)
        socketContext.pointee = Unmanaged.passRetained(state).toOpaque()
        server.register(state)
    case .CONNECTION_NOTIFY_CLOSED:
        guard let raw = socketContext.pointee else { return }
        socketContext.pointee = nil
        let state = Unmanaged<HTTPConnection>.fromOpaque(raw).takeRetainedValue()
        state.markClosed()
        server.unregister(state)
    default:
        break
    }
}

private func clientAddress(_ connection: OpaquePointer) -> String? {
    var buffer = [CChar](repeating: 0, count: 64)
    guard mhd_shim_client_address(connection, &buffer, buffer.count) != 0 else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// MHD_OPTION_URI_LOG_CALLBACK: a request line was read. Its result becomes the request's `*con_cls`.
func httpRequestStarted(
    _ cls: UnsafeMutableRawPointer?, _ uri: UnsafePointer<CChar>?, _ connection: OpaquePointer?
) -> UnsafeMutableRawPointer? {
    let state = connection.flatMap { mhd_shim_socket_context($0) }
        .map { Unmanaged<HTTPConnection>.fromOpaque($0).takeUnretainedValue() }
    // A target that is not UTF-8 is kept empty, which the parser refuses (400).
    let exchange = HTTPExchange(connection: state, target: uri.flatMap { String(validatingCString: $0) } ?? "")
    return Unmanaged.passRetained(exchange).toOpaque()
}

/// The access handler: called when the headers are complete, then with each piece of body, then
/// once more with none when the body is complete.
func httpAccess(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
    _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
    _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
) -> MHD_Result {
    guard let connection, let uploadDataSize, let requestContext else { return .NO }
    let server = serverContext(cls)
    let exchange: HTTPExchange
    if let raw = requestContext.pointee {
        exchange = Unmanaged<HTTPExchange>.fromOpaque(raw).takeUnretainedValue()
    } else {
        // Not expected (the request-line callback always sets one), but keep going with the decoded URL.
        exchange = HTTPExchange(connection: nil, target: url.map { String(cString: $0) } ?? "")
        requestContext.pointee = Unmanaged.passRetained(exchange).toOpaque()
    }
    let methodName = method.map { String(cString: $0) } ?? ""
    return server.access(exchange, connection: connection, method: methodName,
                         upload: uploadData, uploadSize: uploadDataSize)
}

/// MHD_OPTION_NOTIFY_COMPLETED: the request is over (answered, failed or abandoned).
func httpRequestCompleted(
    _ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
    _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode
) {
    guard let requestContext, let raw = requestContext.pointee else { return }
    requestContext.pointee = nil
    let exchange = Unmanaged<HTTPExchange>.fromOpaque(raw).takeRetainedValue()
    serverContext(cls).complete(exchange)
}

/// MHD_get_connection_values_n iterator collecting (name, value) pairs into an array.
func httpCollectValue(
    _ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?, _ keySize: Int,
    _ value: UnsafePointer<CChar>?, _ valueSize: Int
) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let pairs = cls.assumingMemoryBound(to: [(String, String)].self)
    let name = String(decoding: UnsafeRawBufferPointer(start: key, count: keySize), as: UTF8.self)
    let text = value.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: valueSize), as: UTF8.self) } ?? ""
    pairs.pointee.append((name, text))
    return .YES
}
