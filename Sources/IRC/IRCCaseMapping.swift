/// How a server compares nicks and channel names, from RPL_ISUPPORT `CASEMAPPING`.
///
/// RFC 1459 §2.2 treats `{}|^` as the lower-case forms of `[]\~` ("Scandinavian" letters), so on
/// such a server `#Ops[1]` and `#ops{1}` are the same channel. A bot that compares names with plain
/// string equality misses its own channel after a server echoes it differently.
/// See modern.ircdocs.horse, "CASEMAPPING Parameter".
public enum IRCCaseMapping: String, Sendable, Hashable, CaseIterable {
    /// `A-Z` and `[]\~` fold to `a-z` and `{}|^`. The default when the server says nothing.
    case rfc1459 = "rfc1459"
    /// Like ``rfc1459`` without `~`/`^`: only `A-Z[]\` fold to `a-z{}|`.
    case rfc1459Strict = "rfc1459-strict"
    /// Only `A-Z` fold to `a-z`.
    case ascii = "ascii"

    /// The mapping named by a `CASEMAPPING` value.
    ///
    /// `strict-rfc1459` is an old alias of `rfc1459-strict`. `rfc7613`/`rfc8265`/`precis` (Ergo,
    /// newer servers) fold Unicode too; ``ascii`` is the closest approximation among ours — it
    /// folds ASCII letters the same way and, unlike rfc1459, leaves brackets distinct.
    /// Unknown values fall back to ``rfc1459``, the documented default.
    public init(isupportValue value: String) {
        switch value.lowercased() {
        case "ascii", "rfc7613", "rfc8265", "precis": self = .ascii
        case "rfc1459-strict", "strict-rfc1459": self = .rfc1459Strict
        default: self = .rfc1459
        }
    }

    /// The lower-case ("folded") form of `text` under this mapping. Characters outside the
    /// mapping, including all non-ASCII ones, are left unchanged.
    public func fold(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(fold(scalar))
        }
        return String(scalars)
    }

    /// True when both names are the same under this mapping. Compares bytes, like servers do,
    /// so canonically equivalent but differently encoded Unicode is not merged.
    public func equal(_ lhs: String, _ rhs: String) -> Bool {
        fold(lhs).utf8.elementsEqual(fold(rhs).utf8)
    }

    private func fold(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        switch scalar {
        case "A"..."Z":
            return Unicode.Scalar(UInt8(scalar.value) + 0x20)
        case "[", "]", "\\":
            return self == .ascii ? scalar : Unicode.Scalar(UInt8(scalar.value) + 0x20)
        case "~":
            return self == .rfc1459 ? "^" : scalar
        default:
            return scalar
        }
    }
}
