import ModelTape
import Testing
import TraceModel

@Suite struct TapeCursorTests {
    let a = Digest.sha256(bytes("a")), b = Digest.sha256(bytes("b")), c = Digest.sha256(bytes("c")), x = Digest.sha256(bytes("x"))

    @Test func inOrderThenExhausted() {
        var cursor = TapeCursor(digests: [a, b, a])
        #expect(cursor.match(a) == .entry(0))
        #expect(cursor.match(b) == .entry(1))
        #expect(cursor.match(a) == .entry(2))
        #expect(cursor.isExhausted)
        #expect(cursor.match(a) == .divergence(.tapeExhausted, expected: nil))
        #expect(cursor.requests == 4)
    }

    @Test func unknownDigestConsumesNothing() {
        var cursor = TapeCursor(digests: [a, b])
        #expect(cursor.match(x) == .divergence(.notOnTape, expected: 0))
        #expect(cursor.match(a) == .entry(0))
        #expect(cursor.match(b) == .entry(1))
    }

    @Test func reorderWithinTheWindowOnly() {
        var strict = TapeCursor(digests: [a, b, c], policy: TapePolicy(reorderWindow: 0))
        #expect(strict.match(b) == .divergence(.outOfOrder, expected: 0))
        #expect(strict.match(a) == .entry(0))

        var loose = TapeCursor(digests: [a, b, c], policy: TapePolicy(reorderWindow: 1))
        #expect(loose.match(b) == .entry(1))
        #expect(loose.match(c) == .entry(2))  // only entry 0 is skipped: within the window
        #expect(loose.match(a) == .entry(0))
        var far = TapeCursor(digests: [a, b, c], policy: TapePolicy(reorderWindow: 1))
        #expect(far.match(c) == .divergence(.outOfOrder, expected: 0))
    }

    @Test func repeatedRequestsTakeTheNextUnusedCopy() {
        var cursor = TapeCursor(digests: [a, a, b], policy: TapePolicy(reorderWindow: 0))
        #expect(cursor.match(a) == .entry(0))
        #expect(cursor.match(a) == .entry(1))
        #expect(cursor.match(a) == .divergence(.notOnTape, expected: 2))
    }
}
