/// A nick or channel name that compares and hashes case-insensitively under a server's
/// ``IRCCaseMapping`` — use it as a dictionary key for per-channel or per-user state.
///
/// Two names are equal when their mappings are equal and their folded forms are byte-for-byte
/// equal; the original spelling is kept in ``name`` for display.
public struct IRCName: Hashable, Sendable, CustomStringConvertible {
    /// The name as given (e.g. as the server last sent it).
    public let name: String
    /// The mapping used for comparison.
    public let caseMapping: IRCCaseMapping
    /// ``name`` folded under ``caseMapping``.
    public let folded: String

    public init(_ name: String, caseMapping: IRCCaseMapping = .rfc1459) {
        self.name = name
        self.caseMapping = caseMapping
        self.folded = caseMapping.fold(name)
    }

    public static func == (lhs: IRCName, rhs: IRCName) -> Bool {
        lhs.caseMapping == rhs.caseMapping && lhs.folded.utf8.elementsEqual(rhs.folded.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(caseMapping)
        for byte in folded.utf8 { hasher.combine(byte) }
        hasher.combine(folded.utf8.count)
    }

    public var description: String { name }
}
