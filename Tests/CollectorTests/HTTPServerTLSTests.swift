import Foundation
import Testing
@testable import Collector

@Suite("HTTP server: TLS")
struct HTTPServerTLSTests {
    /// A self-signed certificate for 127.0.0.1 in a fresh directory.
    private static func makeCertificate() throws -> (directory: URL, files: TLSFiles) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("http-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let certificate = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let status = try run("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-keyout", key, "-out", certificate,
        ]).status
        #expect(status == 0)
        return (directory, TLSFiles(certificatePath: certificate, keyPath: key))
    }

    @discardableResult
    private static func run(_ tool: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test func httpsRequestsSucceedWithTheCertificateTrusted() throws {
        let (directory, files) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try TestServer { $0.tls = files }
        defer { server.stop() }
        let bodyFile = directory.appendingPathComponent("body").path
        let body = String(repeating: "tls body ", count: 20_000)
        try body.write(toFile: bodyFile, atomically: true, encoding: .utf8)

        let get = try Self.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "--cacert", files.certificatePath,
            "https://127.0.0.1:\(server.port)/inspect?via=tls",
        ])
        #expect(get.status == 0)
        #expect(get.output.contains("\"via\":[\"tls\"]"))

        let post = try Self.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "--cacert", files.certificatePath, "--data-binary", "@" + bodyFile,
            "https://127.0.0.1:\(server.port)/echo",
        ])
        #expect(post.status == 0)
        #expect(post.output == body)

        // Without trusting the certificate the handshake must fail.
        let untrusted = try Self.run("/usr/bin/curl", ["-sS", "--max-time", "20", "https://127.0.0.1:\(server.port)/inspect"])
        #expect(untrusted.status != 0)
    }

    @Test func chunkedUploadPastTheLimitGets413OverTLS() throws {
        let (directory, files) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try TestServer { $0.tls = files; $0.maxBodyBytes = 64 << 10 }
        defer { server.stop() }
        let bodyFile = directory.appendingPathComponent("big").path
        try Data(randomBytes(1 << 20)).write(to: URL(fileURLWithPath: bodyFile))
        let result = try Self.run("/usr/bin/curl", [
            "-s", "--max-time", "20", "--cacert", files.certificatePath, "-o", "/dev/null", "-w", "%{http_code}",
            "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + bodyFile,
            "https://127.0.0.1:\(server.port)/echo",
        ])
        // The server answers 413 while curl is still uploading and then closes. Whether curl reads
        // the 413 before the close resets its upload is a race of the two TCP stacks; either way
        // the body must not reach the handler and the server must keep serving.
        #expect(result.output == "413" || (result.output == "000" && result.status != 0), "\(result.output)")
        #expect(server.handler.handled == 0)
        let after = try Self.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "--cacert", files.certificatePath, "-o", "/dev/null", "-w", "%{http_code}",
            "https://127.0.0.1:\(server.port)/inspect",
        ])
        #expect(after.output == "200")
    }

    @Test func plainHTTPToTheTLSPortDoesNotDisturbIt() throws {
        let (directory, files) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try TestServer { $0.tls = files }
        defer { server.stop() }
        let plain = try server.client()
        plain.send(requestHead("GET", "/inspect"))
        _ = plain.readResponse()
        let get = try Self.run("/usr/bin/curl", [
            "-sS", "--max-time", "20", "--cacert", files.certificatePath, "https://127.0.0.1:\(server.port)/inspect",
        ])
        #expect(get.status == 0)
    }

    @Test func missingOrWrongTLSFilesAreNamed() throws {
        let (directory, files) = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: directory) }
        let missing = directory.appendingPathComponent("missing.pem").path
        var error = try #require(throws: HTTPServerError.self) {
            try HTTPServer(configuration: HTTPServerConfiguration(
                tls: TLSFiles(certificatePath: missing, keyPath: files.keyPath)), handler: TestHandler())
        }
        #expect(error.code == .invalidTLSFile)
        #expect(error.path == missing)
        #expect(error.description.contains(missing))

        // Certificate and key swapped: each file is the wrong kind of PEM.
        error = try #require(throws: HTTPServerError.self) {
            try HTTPServer(configuration: HTTPServerConfiguration(
                tls: TLSFiles(certificatePath: files.keyPath, keyPath: files.certificatePath)), handler: TestHandler())
        }
        #expect(error.code == .invalidTLSFile)
        #expect(error.path == files.keyPath)

        // PEM-shaped but broken: libmicrohttpd refuses it at start, and the files are named.
        let broken = directory.appendingPathComponent("broken.pem").path
        try "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n".write(toFile: broken, atomically: true, encoding: .utf8)
        let server = try HTTPServer(configuration: HTTPServerConfiguration(
            tls: TLSFiles(certificatePath: files.certificatePath, keyPath: broken)), handler: TestHandler())
        error = try #require(throws: HTTPServerError.self) { try server.start() }
        #expect(error.code == .startFailed)
        #expect(error.description.contains(broken))
    }
}
