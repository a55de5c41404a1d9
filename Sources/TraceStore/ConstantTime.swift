/// Compares two byte strings in time that depends only on their lengths, never on where they
/// differ: every byte is visited, and differences are OR-ed together instead of returned early.
public func constantTimeEquals(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    let count = max(a.count, b.count)
    var difference: UInt8 = a.count == b.count ? 0 : 1
    a.withUnsafeBufferPointer { a in
        b.withUnsafeBufferPointer { b in
            for i in 0..<count {
                // Out-of-range positions compare a zero byte against the other side.
                let x = i < a.count ? a[i] : 0
                let y = i < b.count ? b[i] : 0
                difference |= x ^ y
            }
        }
    }
    return difference == 0
}
