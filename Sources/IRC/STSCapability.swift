/// The value of the IRCv3 `sts` capability ("Strict Transport Security",
/// https://ircv3.net/specs/extensions/sts): `port=6697,duration=2592000[,preload]`.
///
/// On a plaintext connection only `port` matters: the client must reconnect over TLS to it. On a
/// TLS connection only `duration` matters: for that many seconds the client must not connect to
/// the host without TLS (`duration=0` removes the policy). Unknown keys are ignored, as the
/// specification requires, so later extensions do not break the parse.
public struct STSCapability: Sendable, Hashable {
    /// The TLS port to reconnect to (meaningful on a plaintext connection).
    public var port: Int?
    /// How long the policy holds, in seconds (meaningful on a TLS connection).
    public var durationSeconds: Int?
    /// The server allows the policy to be put in preload lists (informational).
    public var preload: Bool

    public init(port: Int? = nil, durationSeconds: Int? = nil, preload: Bool = false) {
        self.port = port
        self.durationSeconds = durationSeconds
        self.preload = preload
    }

    /// Parses `key[=value]` pairs separated by commas. A `port` outside 1–65535 or a `duration`
    /// that is not a non-negative integer is treated as absent (the spec: an invalid key makes
    /// the policy invalid for the purpose that key serves).
    public init(value: String) {
        var port: Int?
        var duration: Int?
        var preload = false
        for pair in value.split(separator: ",", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = parts[0]
            let raw = parts.count > 1 ? String(parts[1]) : nil
            switch key {
            case "port":
                if let raw, raw.allSatisfy(\.isASCII), let number = Int(raw), (1...65535).contains(number) {
                    port = number
                }
            case "duration":
                if let raw, !raw.isEmpty, raw.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
                    // Clamp absurd values instead of overflowing: 100 years is "forever" here.
                    duration = raw.count > 10 ? 3_153_600_000 : min(Int(raw) ?? 0, 3_153_600_000)
                }
            case "preload":
                preload = true
            default:
                continue
            }
        }
        self.init(port: port, durationSeconds: duration, preload: preload)
    }
}
