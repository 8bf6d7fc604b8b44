/// How long one conversation's undelivered backlog may grow, and what happens past that.
///
/// A room that cannot keep up (flood control, a stalled server, a flood of read commands) must not
/// grow without end, nor lose what matters. When a conversation holds more than
/// ``maximumPending`` undelivered messages, the oldest ones among ``DeliveryPriority/foldable``
/// (lowest priority first: low announcements, then read replies, then normal announcements) are
/// marked delivered-as-summarised and counted in ONE summary line per conversation:
///
///     … and 37 older low-priority lines not shown: https://tocsin.example.org/incidents
///
/// Critical and high announcements and acknowledgements of write commands are never folded, so
/// the bound can be exceeded only by those. The summary is updated in place while it waits, so a
/// long flood still leaves a single line.
public struct OutboxBound: Sendable, Hashable {
    /// Undelivered messages per conversation (room or direct) above which folding starts.
    public var maximumPending: Int
    /// Where the full list lives (`<public_url>/incidents`), named in the summary line.
    public var incidentsURL: String?

    public static let defaultMaximumPending = 200

    public init(maximumPending: Int = OutboxBound.defaultMaximumPending, incidentsURL: String? = nil) {
        self.maximumPending = max(2, maximumPending)
        self.incidentsURL = incidentsURL
    }

    /// `public_url` from the configuration, turned into the incidents page.
    public init(maximumPending: Int = OutboxBound.defaultMaximumPending, publicURL: String?) {
        let base = publicURL.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.init(maximumPending: maximumPending, incidentsURL: base.map { "\($0)/incidents" })
    }

    /// Dedup keys of summary lines start with this; a summary itself is never folded.
    public static let summaryKeyPrefix = "overflow-summary:"
    /// Summary lines wait with the lowest tier (they stand for low-priority lines).
    public static let summaryPriority = DeliveryPriority.low

    /// The summary line for `count` folded messages.
    public func summaryText(folded count: Int) -> RichText {
        let noun = count == 1 ? "line" : "lines"
        let tail = incidentsURL.map { ": \($0)" } ?? ""
        return RichText([.muted("… and \(count) older low-priority \(noun) not shown\(tail)")])
    }

    public func isSummary(_ message: OutboxMessage) -> Bool {
        message.dedupKey?.hasPrefix(Self.summaryKeyPrefix) == true
    }
}
