import Foundation

/// Where the recording proxy forwards to. Base URLs follow the SDKs' conventions: the OpenAI one
/// includes `/v1` (like `OPENAI_BASE_URL`), the Anthropic one does not (like `ANTHROPIC_BASE_URL`).
public struct ModelProxyConfiguration: Sendable {
    public static let defaultOpenAIUpstream = "https://api.openai.com/v1"
    public static let defaultAnthropicUpstream = "https://api.anthropic.com"

    public var openAIUpstream: String
    public var anthropicUpstream: String
    /// An upstream silent this long (before its head, or between chunks) fails the call.
    public var idleTimeoutSeconds: Double

    public init(openAIUpstream: String = defaultOpenAIUpstream, anthropicUpstream: String = defaultAnthropicUpstream,
                idleTimeoutSeconds: Double = 600) {
        self.openAIUpstream = openAIUpstream
        self.anthropicUpstream = anthropicUpstream
        self.idleTimeoutSeconds = idleTimeoutSeconds
    }

    /// Checks both base URLs are absolute http(s) URLs without query or fragment.
    public func validate() throws(ProxyServerError) {
        for (name, base) in [("OpenAI", openAIUpstream), ("Anthropic", anthropicUpstream)] {
            guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  url.host != nil, url.query == nil, url.fragment == nil else {
                throw ProxyServerError(message: "the \(name) upstream \"\(base)\" is not an http(s) base URL")
            }
        }
    }

    /// The upstream URL for a request target: OpenAI paths lose their `/v1` (the base has it),
    /// Anthropic paths are appended whole.
    public func upstreamURL(_ provider: ModelProvider, target: String) -> URL? {
        var base = provider == .openai ? openAIUpstream : anthropicUpstream
        while base.hasSuffix("/") { base.removeLast() }
        var suffix = target
        if provider == .openai, suffix.hasPrefix("/v1/") || suffix == "/v1" { suffix.removeFirst(3) }
        if !suffix.hasPrefix("/") { suffix = "/" + suffix }
        return URL(string: base + suffix)
    }
}

/// The base URLs an agent's SDKs are pointed at (a recording proxy or a tape server).
public struct ModelBaseURLs: Sendable, Hashable {
    /// With `/v1`, for `OPENAI_BASE_URL`.
    public var openai: String
    /// Without `/v1`, for `ANTHROPIC_BASE_URL`.
    public var anthropic: String

    public init(port: UInt16) {
        openai = "http://127.0.0.1:\(port)/v1"
        anthropic = "http://127.0.0.1:\(port)"
    }

    /// `OPENAI_BASE_URL` and `ANTHROPIC_BASE_URL` for the agent's environment.
    public var environment: [String: String] {
        ["OPENAI_BASE_URL": openai, "ANTHROPIC_BASE_URL": anthropic]
    }
}
