import TraceModel

extension CollectorClient.Response {
    /// Seconds from a `Retry-After: <seconds>` header; nil when absent or given as an HTTP date.
    public var retryAfter: Double? {
        guard let text = headers["retry-after"]?.trimmingSpaces, let seconds = Double(text), seconds.isFinite, seconds >= 0 else { return nil }
        return seconds
    }

    /// The collector's explanation of a non-200 reply (wire.md §4.4): its `message`, else its
    /// `error` code, else the start of the body.
    public var errorMessage: String {
        if let reply = try? JSONParser.parse(body) {
            if let message = reply["message"]?.stringValue { return message }
            if let code = reply["error"]?.stringValue { return code }
        }
        let text = String(decoding: body.prefix(200), as: UTF8.self).trimmingSpaces
        return text.isEmpty ? "no explanation given" : text
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" || first == "\n" || first == "\r" { scalars.removeFirst() }
        while let last = scalars.last, last == " " || last == "\t" || last == "\n" || last == "\r" { scalars.removeLast() }
        return String(scalars)
    }
}
