/// The agent of the model-proxy acceptance test: four calls with the official `openai` and
/// `anthropic` Python SDKs (plain and streamed, both providers), each SDK on an httpx client whose
/// transport keeps the raw body pieces as they arrive. Prints one JSON line per call.
/// `--change N` alters the prompt of call N.
enum ModelSDKScript {
    static let source = #"""
    import base64, json, os, sys
    import openai, anthropic
    try:
        import httpx2 as httpx  # what current SDK releases are built on
    except ImportError:
        import httpx

    change = int(sys.argv[sys.argv.index("--change") + 1]) if "--change" in sys.argv else -1

    class Tee(httpx.BaseTransport):
        def __init__(self):
            self.inner = httpx.HTTPTransport()
            self.calls = []
        def handle_request(self, request):
            response = self.inner.handle_request(request)
            pieces = []
            self.calls.append(pieces)
            inner = response.stream
            class Stream(httpx.SyncByteStream):
                def __iter__(self):
                    for piece in inner:
                        pieces.append(bytes(piece))
                        yield piece
                def close(self):
                    inner.close()
            return httpx.Response(status_code=response.status_code, headers=response.headers, stream=Stream(),
                                  extensions=response.extensions)

    tee = Tee()
    oa = openai.OpenAI(max_retries=0, timeout=30, http_client=httpx.Client(transport=tee))
    an = anthropic.Anthropic(max_retries=0, timeout=30, http_client=httpx.Client(transport=tee))

    def prompt(i):
        return "Say hello, call %d" % i + (" (changed)" if i == change else "")

    def openai_plain(i):
        r = oa.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": prompt(i)}])
        return r.choices[0].message.content

    def openai_stream(i):
        text = ""
        for chunk in oa.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                messages=[{"role": "user", "content": prompt(i)}]):
            if chunk.choices and chunk.choices[0].delta.content:
                text += chunk.choices[0].delta.content
        return text

    def anthropic_plain(i):
        r = an.messages.create(model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": prompt(i)}])
        return r.content[0].text

    def anthropic_stream(i):
        text = ""
        for event in an.messages.create(model="claude-sonnet-4-5", max_tokens=64, stream=True,
                                        messages=[{"role": "user", "content": prompt(i)}]):
            if event.type == "content_block_delta":
                text += event.delta.text
        return text

    for i, call in enumerate([openai_plain, openai_stream, anthropic_plain, anthropic_stream]):
        before = len(tee.calls)
        out = {"call": i}
        try:
            out["text"] = call(i)
        except (openai.APIStatusError, anthropic.APIStatusError) as e:
            out["error_status"] = e.status_code
            out["error"] = e.response.text
        pieces = tee.calls[before] if len(tee.calls) > before else []
        out["raw"] = base64.b64encode(b"".join(pieces)).decode()
        out["pieces"] = len(pieces)
        print(json.dumps(out), flush=True)
    """#
}
