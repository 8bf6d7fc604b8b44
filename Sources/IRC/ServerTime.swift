#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parser for the IRCv3 `server-time` tag value.
///
/// The spec fixes the format to `YYYY-MM-DDThh:mm:ss.sssZ` (UTC, millisecond precision); the
/// fraction is accepted with any number of digits or left out, anything else is rejected. Done by
/// hand so the codec needs no shared (non-`Sendable`) date formatter.
enum ServerTime {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.last == UInt8(ascii: "Z") else { return nil }

        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let digit = Int(bytes[index]) - Int(UInt8(ascii: "0"))
                guard digit >= 0 && digit <= 9 else { return nil }
                value = value * 10 + digit
            }
            return value
        }
        func byte(_ index: Int, is character: Unicode.Scalar) -> Bool {
            bytes[index] == UInt8(ascii: character)
        }

        guard byte(4, is: "-"), byte(7, is: "-"), byte(10, is: "T"), byte(13, is: ":"), byte(16, is: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }

        var fraction = 0.0
        let fractionEnd = bytes.count - 1
        if fractionEnd > 19 {
            guard byte(19, is: "."), fractionEnd > 20 else { return nil }
            var scale = 0.1
            for index in 20..<fractionEnd {
                guard let digit = number(index..<(index + 1)) else { return nil }
                fraction += Double(digit) * scale
                scale /= 10
            }
        }

        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Double(days * 86_400 + hour * 3_600 + minute * 60 + second) + fraction
        return Date(timeIntervalSince1970: seconds)
    }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
