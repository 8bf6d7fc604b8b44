import IRC
import TocsinCore

/// What people say and who they are: PRIVMSG/NOTICE to the core, CTCP answers, services
/// identity, and our own nick (changes and regaining the configured one).
extension IRCClientStateMachine {
    // MARK: Identity

    /// Identity of the sender of `message`, or why there is none.
    public func resolveIdentity(of message: IRCMessage, nick: String) -> (identity: ChatIdentity?, reason: String?) {
        let notLoggedIn = "you are not logged in to a services account on \(network); identify to NickServ (or use SASL) and try again"
        if capabilities.contains("account-tag") {
            if let account = message.account { return (.irc(network: network, account: account), nil) }
            return (nil, notLoggedIn)
        }
        if networkHasAccounts {
            switch directory.account(of: nick) {
            case .loggedIn(let account): return (.irc(network: network, account: account), nil)
            case .notLoggedIn: return (nil, notLoggedIn)
            case .unknown: return (nil, "your services account on \(network) is not known to the bot yet (share a channel with it, then try again)")
            }
        }
        return (nil, "this IRC network offers no services accounts")
    }

    // MARK: Text

    mutating func receiveText(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2, let source = message.source, !source.isServer else { return [] }
        let target = message.parameters[0]
        let text = message.parameters[1]

        if isMe(source.nick) {
            return receiveEcho(message)
        }
        if capabilities.contains("account-tag") {
            directory.setAccount(message.account, for: source.nick)
        }
        guard message.command == "PRIVMSG" else { return [] }  // never answer NOTICEs (RFC 2812 §3.3.2)

        if let query = CTCP.parse(text) {
            return answerCTCP(query.command, argument: query.argument, to: source.nick)
        }

        let conversation: Conversation
        if let channel = channelName(target) {
            conversation = .room(rooms.canonicalName(channel))
        } else if isMe(target) {
            conversation = .direct(source.nick)
        } else {
            return []
        }
        let (identity, reason) = resolveIdentity(of: message, nick: source.nick)
        let inbound = InboundMessage(
            origin: ChatDestination(network: network, conversation: conversation),
            senderName: source.nick,
            identity: identity,
            identityUnavailableReason: identity == nil ? reason : nil,
            text: IRCText.stripFormatting(text),
            messageID: message.msgid,
            botNames: [nick])
        return [.inbound(inbound)]
    }

    /// The channel a message went to, without a STATUSMSG prefix (`@#ops`), or nil for a nick.
    private func channelName(_ target: String) -> String? {
        if isupport.isChannel(target) { return target }
        let symbols = Set(isupport.prefix.map(\.symbol))
        let stripped = String(target.drop { symbols.contains($0) })
        return stripped != target && isupport.isChannel(stripped) ? stripped : nil
    }

    private mutating func answerCTCP(_ command: String, argument: String?, to nick: String) -> [Action] {
        switch ctcp.answer(command, argument: argument, from: nick, queuedReplies: queue.count(of: .ctcpReply)) {
        case .reply(let notice):
            enqueue(notice, .ctcpReply)
            return []
        case .tooManyQueued:
            return [.log(.debug, "ignoring CTCP \(command) from \(nick): too many queued")]
        case .nothing:
            return []
        }
    }

    /// Our own PRIVMSG/NOTICE echoed back (IRCv3 echo-message): it may confirm a delivery.
    private mutating func receiveEcho(_ message: IRCMessage) -> [Action] {
        guard capabilities.contains("echo-message"), message.parameters.count >= 2 else { return [] }
        let folded = isupport.caseMapping.fold(message.parameters[0])
        let confirmed = modifyRegistered {
            $0.deliveries.echoReceived(command: message.command, target: folded, text: message.parameters[1], label: message.tag("label"))
        }
        guard let id = confirmed ?? nil else { return [] }
        return [.confirmDelivery(id)]
    }

    // MARK: Our nick

    mutating func tryRegainNick(now: ContinuousClock.Instant) -> [Action] {
        let current = nick
        let mapping = isupport.caseMapping
        guard modifyRegistered({ $0.nickRegain.attempt(currentNick: current, caseMapping: mapping, now: now) }) == true else {
            return []
        }
        enqueue(IRCMessage(command: "NICK", parameters: [configuration.nick]), .protocolMessage)
        return [.log(.debug, "trying to get nick \(configuration.nick) back")]
    }

    mutating func receiveNick(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let newNick = message.parameters.first else { return [] }
        let mapping = isupport.caseMapping
        if isMe(source.nick) {
            nick = newNick
            if let own = selfSource { selfSource = IRCSource(nick: newNick, user: own.user, host: own.host) }
            if mapping.equal(newNick, configuration.nick) {
                modifyRegistered { _ = $0.nickRegain.renamed(to: newNick, caseMapping: mapping) }
                return [.log(.info, "got nick \(newNick) back")]
            }
            return [.log(.notice, "now known as \(newNick)")]
        }
        directory.renamed(source.nick, to: newNick)
        // The holder of our nick changed away from it: it is free now.
        if case .registered = phase, mapping.equal(source.nick, configuration.nick) {
            return tryRegainNick(now: now)
        }
        return []
    }

    mutating func receiveQuit(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source else { return [] }
        directory.quit(source.nick)
        if case .registered = phase, !isMe(source.nick), isupport.caseMapping.equal(source.nick, configuration.nick) {
            return tryRegainNick(now: now)
        }
        return []
    }
}
