#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant with microsecond precision, written as RFC 3339 UTC with exactly six
/// fractional digits (`2026-11-25T08:45:50.123456Z`) — one spelling per instant, so it hashes stably.
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(microseconds: Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000)
    }

    /// Parses the strict form only; nil for anything else (other offsets, other precisions, bad dates).
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        guard b.count == 27, b[4] == 0x2D, b[7] == 0x2D, b[10] == 0x54, b[13] == 0x3A, b[16] == 0x3A,
              b[19] == 0x2E, b[26] == 0x5A else { return nil }
        func num(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                v = v * 10 + Int64(b[i] - 0x30)
            }
            return v
        }
        guard let year = num(0..<4), let month = num(5..<7), let day = num(8..<10), let hour = num(11..<13),
              let minute = num(14..<16), let second = num(17..<19), let micros = num(20..<26) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        microseconds = ((days * 86_400 + hour * 3600 + minute * 60 + second) * 1_000_000) + micros
    }

    public var rfc3339: String { String(decoding: rfc3339Bytes, as: UTF8.self) }

    /// The RFC 3339 form as 27 UTF-8 bytes (the canonical encoder writes these directly).
    public var rfc3339Bytes: [UInt8] {
        let micros = ((microseconds % 1_000_000) + 1_000_000) % 1_000_000
        let totalSeconds = (microseconds - micros) / 1_000_000
        let secondsOfDay = ((totalSeconds % 86_400) + 86_400) % 86_400
        let (y, m, d) = Self.civilFromDays((totalSeconds - secondsOfDay) / 86_400)
        var out = [UInt8](repeating: 0, count: 27)
        func put(_ value: Int64, _ at: Int, _ width: Int) {
            var v = value
            for i in stride(from: at + width - 1, through: at, by: -1) {
                out[i] = 0x30 + UInt8(truncatingIfNeeded: v % 10)
                v /= 10
            }
        }
        put(y, 0, 4); out[4] = 0x2D; put(m, 5, 2); out[7] = 0x2D; put(d, 8, 2); out[10] = 0x54
        put(secondsOfDay / 3600, 11, 2); out[13] = 0x3A; put(secondsOfDay / 60 % 60, 14, 2); out[16] = 0x3A
        put(secondsOfDay % 60, 17, 2); out[19] = 0x2E; put(micros, 20, 6); out[26] = 0x5A
        return out
    }

    public var description: String { rfc3339 }
    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days_from_civil / civil_from_days.
    static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
