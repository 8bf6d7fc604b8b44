/// A minimal JSON value and writer: the bench's results are small, flat objects, and the target
/// depends on no Foundation encoder so its numbers are printed exactly as measured.
enum JSONValue: Sendable {
    case number(Double)
    case string(String)
    case bool(Bool)
    case object([String: JSONValue])
    case array([JSONValue])

    var text: String {
        switch self {
        case .number(let value):
            if value.isNaN || value.isInfinite { return "null" }
            if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
            return String(format3(value))
        case .string(let value): return Self.quote(value)
        case .bool(let value): return value ? "true" : "false"
        case .object(let members):
            return "{" + members.keys.sorted().map { "\(Self.quote($0)):\(members[$0]!.text)" }.joined(separator: ",") + "}"
        case .array(let values): return "[" + values.map(\.text).joined(separator: ",") + "]"
        }
    }

    private func format3(_ value: Double) -> String {
        // Three decimals are more than any figure here is worth.
        let scaled = (value * 1000).rounded() / 1000
        return "\(scaled)"
    }

    private static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
