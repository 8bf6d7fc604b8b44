/// Where a `see-other-host` stream error sends us (RFC 6120 §4.9.3.19).
enum RedirectTarget {
    /// Splits `host`, `host:port`, `[v6]` or `[v6]:port`; without a port the configured one is kept.
    static func hostAndPort(_ value: String, defaultPort: Int) -> (host: String, port: Int) {
        if value.hasPrefix("["), let close = value.firstIndex(of: "]") {
            let host = String(value[value.index(after: value.startIndex)..<close])
            let rest = value[value.index(after: close)...]
            if rest.hasPrefix(":"), let port = Int(rest.dropFirst()) { return (host, port) }
            return (host, defaultPort)
        }
        let parts = value.split(separator: ":")
        if parts.count == 2, let port = Int(parts[1]) { return (String(parts[0]), port) }
        return (value, defaultPort)
    }
}
