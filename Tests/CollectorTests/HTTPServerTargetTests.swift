import Testing
@testable import Collector

@Suite("HTTP request target parsing")
struct HTTPServerTargetTests {
    @Test func originFormKeepsThePathRaw() throws {
        let target = try #require(HTTPRequestTarget.parse("/v1/blobs/sha256/..%2F..%2Fetc?x=1"))
        #expect(target.path == "/v1/blobs/sha256/..%2F..%2Fetc")
        #expect(target.query == ["x": ["1"]])
    }

    @Test func queryIsFormDecoded() throws {
        let target = try #require(HTTPRequestTarget.parse("/s?a=1&b=x+y&a=%41%42&c&d=&=v&e=%3D%26&u=%C3%A9"))
        #expect(target.query == ["a": ["1", "AB"], "b": ["x y"], "c": [""], "d": [""], "": ["v"], "e": ["=&"], "u": ["é"]])
    }

    @Test func fragmentIsDropped() throws {
        #expect(HTTPRequestTarget.parse("/p?q=1#frag") == HTTPRequestTarget(path: "/p", query: ["q": ["1"]]))
        #expect(HTTPRequestTarget.parse("/p#x?q=1") == HTTPRequestTarget(path: "/p", query: [:]))
    }

    @Test func absoluteAndAsteriskForms() {
        #expect(HTTPRequestTarget.parse("http://h:1/a/b?c=d") == HTTPRequestTarget(path: "/a/b", query: ["c": ["d"]]))
        #expect(HTTPRequestTarget.parse("HTTPS://h") == HTTPRequestTarget(path: "/", query: [:]))
        #expect(HTTPRequestTarget.parse("http://h?x=1") == HTTPRequestTarget(path: "/", query: ["x": ["1"]]))
        #expect(HTTPRequestTarget.parse("*") == HTTPRequestTarget(path: "*", query: [:]))
    }

    @Test(arguments: [
        "", "a/b", "ftp://h/x", "http://", "http:///x", "/a b", "/a\u{7F}", "/a\tb", "/\u{0}",
        "/q?x=%", "/q?x=%4", "/q?x=%G1", "/q?%zz=1", "/q?x=%FF", "/q?x=%C3", "/q?x=%ED%A0%80",
    ])
    func malformedTargetsAreRejected(raw: String) {
        #expect(HTTPRequestTarget.parse(raw) == nil)
    }

    @Test func hostileSizesStayLinear() throws {
        let many = "/q?" + Array(repeating: "k=v", count: 20_000).joined(separator: "&")
        let target = try #require(HTTPRequestTarget.parse(many))
        #expect(target.query["k"]?.count == 20_000)
        let separators = "/q?" + String(repeating: "&", count: 50_000)
        #expect(HTTPRequestTarget.parse(separators)?.query == [:])
    }
}
