import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Synchronization
import TraceModel

/// A `ChatModel` over an OpenAI-compatible API: `POST <base>/chat/completions`, where the base URL
/// is `OPENAI_BASE_URL` (with `/v1`, as the SDKs use it).
public struct OpenAIChatClient: ChatModel {
    public var baseURL: String
    public var apiKey: String
    public var model: String
    public var timeout: Double

    public init(baseURL: String, apiKey: String, model: String, timeout: Double = 60) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.model = model
        self.timeout = timeout
    }

    public func complete(_ messages: [ChatMessage]) throws(DemoAgentError) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/chat/completions"), url.scheme == "http" || url.scheme == "https" else {
            throw DemoAgentError("OPENAI_BASE_URL \"\(baseURL)\" is not an http(s) URL")
        }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(apiKey)", forHTTPHeaderField: "Authorization")
        request.httpBody = Data(ChatRequest(model: model, messages: messages).json.canonicalBytes())

        let outcome = Mutex<Result<(Int, [UInt8]), DemoAgentError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        let session = URLSession(configuration: .ephemeral)
        session.dataTask(with: request) { data, response, error in
            let result: Result<(Int, [UInt8]), DemoAgentError>
            if let error {
                result = .failure(DemoAgentError("cannot reach the model at \(url.absoluteString): \(error.localizedDescription)"))
            } else if let http = response as? HTTPURLResponse {
                result = .success((http.statusCode, [UInt8](data ?? Data())))
            } else {
                result = .failure(DemoAgentError("no HTTP response from \(url.absoluteString)"))
            }
            outcome.withLock { $0 = result }
            done.signal()
        }.resume()
        done.wait()
        session.finishTasksAndInvalidate()
        let (status, body) = try outcome.withLock { $0! }.get()
        let text = String(decoding: body, as: UTF8.self)
        guard status == 200 else {
            throw DemoAgentError("the model at \(url.absoluteString) answered HTTP \(status): \(DemoAgentError.excerpt(text))")
        }
        let value: JSONValue
        do { value = try JSONParser.parse(body) } catch {
            throw DemoAgentError("the model's response is not JSON: \(error)")
        }
        guard let content = value["choices"]?.arrayValue?.first?["message"]?["content"]?.stringValue else {
            throw DemoAgentError("the model's response has no string at choices[0].message.content: \(DemoAgentError.excerpt(text))")
        }
        return content
    }
}
