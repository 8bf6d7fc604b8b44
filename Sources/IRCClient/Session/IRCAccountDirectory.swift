import IRC

/// Who is in the bot's channels and which services account each of them is logged in to, as
/// the server told us: `extended-join` (account on JOIN), `account-notify` (ACCOUNT on login and
/// logout), WHOX replies (`WHO #chan %tna`) and `account-tag` on their messages.
///
/// An account is only remembered while its nick shares a channel with the bot: once the last
/// shared channel is gone we would no longer see the nick change hands, so keeping the entry would
/// let a newcomer with the same nick inherit someone else's account.
public struct IRCAccountDirectory: Sendable {
    /// What we know about a nick's account.
    public enum Knowledge: Sendable, Hashable {
        case loggedIn(String)
        case notLoggedIn
        case unknown
    }

    public private(set) var caseMapping: IRCCaseMapping
    /// Folded channel → folded nicks in it (our own nick excluded).
    private var members: [String: Set<String>] = [:]
    /// Folded nick → account (`nil` = known not logged in). No entry = unknown.
    private var accounts: [String: String?] = [:]

    public init(caseMapping: IRCCaseMapping = .rfc1459) {
        self.caseMapping = caseMapping
    }

    public mutating func setCaseMapping(_ mapping: IRCCaseMapping) {
        guard mapping != caseMapping else { return }
        // Folded keys cannot be unfolded; the mapping changes only right after 001, before any
        // join, so starting empty loses nothing.
        caseMapping = mapping
        members = [:]
        accounts = [:]
    }

    public func account(of nick: String) -> Knowledge {
        switch accounts[caseMapping.fold(nick)] {
        case .some(.some(let account)): .loggedIn(account)
        case .some(.none): .notLoggedIn
        case .none: .unknown
        }
    }

    /// True when the nick shares at least one channel with us.
    public func isKnown(_ nick: String) -> Bool {
        let key = caseMapping.fold(nick)
        return members.values.contains { $0.contains(key) }
    }

    public func members(of channel: String) -> Set<String> {
        members[caseMapping.fold(channel)] ?? []
    }

    // MARK: Our own membership

    public mutating func selfJoined(_ channel: String) {
        let key = caseMapping.fold(channel)
        if members[key] == nil { members[key] = [] }
    }

    public mutating func selfLeft(_ channel: String) {
        guard let gone = members.removeValue(forKey: caseMapping.fold(channel)) else { return }
        for nick in gone { forgetIfUnseen(nick) }
    }

    // MARK: Others

    /// A JOIN. `account` is `.some` with extended-join (`nil` inside for `*`), `nil` otherwise.
    public mutating func joined(_ nick: String, channel: String, account: String??) {
        let channelKey = caseMapping.fold(channel)
        guard members[channelKey] != nil else { return }
        let nickKey = caseMapping.fold(nick)
        members[channelKey]?.insert(nickKey)
        if let account { accounts[nickKey] = .some(account) }
    }

    /// Nicks from RPL_NAMREPLY, membership prefixes already removed.
    public mutating func names(_ nicks: [String], channel: String) {
        let channelKey = caseMapping.fold(channel)
        guard members[channelKey] != nil else { return }
        for nick in nicks where !nick.isEmpty {
            members[channelKey]?.insert(caseMapping.fold(nick))
        }
    }

    public mutating func parted(_ nick: String, channel: String) {
        let nickKey = caseMapping.fold(nick)
        members[caseMapping.fold(channel)]?.remove(nickKey)
        forgetIfUnseen(nickKey)
    }

    public mutating func quit(_ nick: String) {
        let nickKey = caseMapping.fold(nick)
        for channel in Array(members.keys) { members[channel]?.remove(nickKey) }
        accounts[nickKey] = nil
    }

    public mutating func renamed(_ old: String, to new: String) {
        let oldKey = caseMapping.fold(old)
        let newKey = caseMapping.fold(new)
        guard oldKey != newKey else { return }
        for channel in Array(members.keys) where members[channel]?.remove(oldKey) != nil {
            members[channel]?.insert(newKey)
        }
        if let account = accounts.removeValue(forKey: oldKey) {
            accounts[newKey] = account
        } else {
            accounts[newKey] = nil
        }
    }

    /// ACCOUNT (account-notify), a WHOX reply or a message's account tag. Ignored for nicks that
    /// share no channel with us (see the type's documentation).
    public mutating func setAccount(_ account: String?, for nick: String) {
        let nickKey = caseMapping.fold(nick)
        guard members.values.contains(where: { $0.contains(nickKey) }) else { return }
        accounts[nickKey] = .some(account)
    }

    private mutating func forgetIfUnseen(_ nickKey: String) {
        if !members.values.contains(where: { $0.contains(nickKey) }) {
            accounts[nickKey] = nil
        }
    }
}
