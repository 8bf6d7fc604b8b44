/// The 16 standard mIRC colours, numbered as in the `\x03NN[,MM]` colour code
/// (modern.ircdocs.horse, "Formatting": colours 00–15).
public enum IRCColor: UInt8, Sendable, Hashable, CaseIterable {
    case white = 0, black, blue, green, red, brown, purple, orange, yellow, lightGreen, cyan,
         lightCyan, lightBlue, pink, grey, lightGrey

    /// The number as two digits. Always two, so text starting with a digit is not read as part
    /// of the code (`\x034` + `2 hosts` would otherwise become colour 42).
    public var code: String {
        rawValue < 10 ? "0\(rawValue)" : "\(rawValue)"
    }
}
