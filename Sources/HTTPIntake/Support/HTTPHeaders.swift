import Hummingbird

extension HTTPFields {
    /// Every value of the header called `name` (any case), in order. Several `X-PagerDuty-Signature`
    /// lines are read as one comma-separated list, as RFC 9110 §5.3 allows.
    func values(named name: String) -> [String] {
        let lowercased = name.lowercased()
        return filter { $0.name.canonicalName == lowercased }.map(\.value)
    }
}

/// Log routing keys by a short prefix only: enough to tell integrations apart, useless to an attacker.
func redacted(_ secret: String) -> String {
    secret.count <= 4 ? "****" : "\(secret.prefix(4))…"
}
