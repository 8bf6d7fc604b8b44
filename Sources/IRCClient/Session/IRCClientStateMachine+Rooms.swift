import IRC
import TocsinCore

/// Rooms and who is in them: JOIN/PART/KICK/INVITE, join refusals, NAMES and WHOX replies,
/// feeding ``IRCRoomTracker`` and ``IRCAccountDirectory``.
extension IRCClientStateMachine {
    mutating func receiveISupport(_ message: IRCMessage) {
        isupport.apply(message)
        rooms.setCaseMapping(isupport.caseMapping)
        directory.setCaseMapping(isupport.caseMapping)
    }

    mutating func receiveJoin(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let channel = message.parameters.first else { return [] }
        // extended-join: JOIN <channel> <account|*> :<realname>
        let account: String?? = capabilities.contains("extended-join") && message.parameters.count >= 2
            ? .some(message.parameters[1] == "*" ? nil : message.parameters[1]) : nil
        guard isMe(source.nick) else {
            directory.joined(source.nick, channel: channel, account: account)
            return []
        }
        if source.user != nil, source.host != nil { selfSource = source }
        let (name, isNew) = rooms.joined(channel)
        directory.selfJoined(channel)
        var actions: [Action] = [.log(.info, "joined \(name)")]
        if isupport.whox && !capabilities.contains("account-tag") {
            enqueue(IRCMessage(command: "WHO", parameters: [channel, "%tna,\(Self.whoxToken)"]), .protocolMessage)
        }
        let folded = isupport.caseMapping.fold(channel)
        let joinsInFlight = rooms.hasJoinsInFlight
        let nowReady = modifyRegistered { registered -> Bool in
            registered.deliveries.release(folded)
            guard registered.isReady else { return registered.roomAnswered(joinsInFlight: joinsInFlight) }
            // Already ready: a room (re)joined later wakes the dispatcher for it.
            return isNew
        }
        if nowReady == true { actions.append(.ready) }
        return actions
    }

    mutating func receivePart(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard let source = message.source, let channel = message.parameters.first else { return [] }
        guard isMe(source.nick) else {
            directory.parted(source.nick, channel: channel)
            return []
        }
        directory.selfLeft(channel)
        let reason = message.parameters.count >= 2 ? message.parameters[1] : "parted"
        rooms.removed(from: channel, reason: "parted: \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now)
        return [.log(.warning, "left \(rooms.canonicalName(channel)) (\(reason))")]
    }

    mutating func receiveKick(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2 else { return [] }
        let channel = message.parameters[0]
        let victim = message.parameters[1]
        guard isMe(victim) else {
            directory.parted(victim, channel: channel)
            return []
        }
        let reason = message.parameters.count >= 3 ? message.parameters[2] : ""
        let by = message.source?.nick ?? "?"
        let name = rooms.canonicalName(channel)
        directory.selfLeft(channel)
        rooms.removed(from: channel, reason: "kicked by \(by): \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now)
        // What is still queued or waiting for its echo will not be taken; the outbox retries it.
        let folded = isupport.caseMapping.fold(channel)
        let dropped = modifyRegistered { $0.deliveries.dropAll(to: folded) } ?? []
        for id in dropped { queue.remove(delivery: id) }
        let failures = dropped.map { Action.failDelivery($0, .notInRoom(network: network, room: name)) }
        if let delay = configuration.rejoinAfterKick {
            return [.log(.warning, "kicked from \(name) by \(by) (\(reason)); rejoining in \(delay.formattedSeconds)")] + failures
        }
        return [.log(.warning, "kicked from \(name) by \(by) (\(reason)); not rejoining (rejoin_after_kick_seconds is not set)")] + failures
    }

    mutating func receiveJoinRefusal(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        // <numeric> <nick> <channel> :<reason>
        guard message.parameters.count >= 2 else { return [] }
        let channel = message.parameters[1]
        guard rooms.room(channel) != nil, isupport.isChannel(channel) || message.command != IRCNumeric.unavailableResource else {
            return []
        }
        let reason = message.parameters.last ?? ""
        let explanation: String
        switch message.command {
        case IRCNumeric.channelIsFull: explanation = "the channel is full (+l)"
        case IRCNumeric.inviteOnlyChannel: explanation = "the channel is invite-only (+i): invite the bot or add an invite exception"
        case IRCNumeric.bannedFromChannel: explanation = "the bot is banned (+b)"
        case IRCNumeric.badChannelKey: explanation = "wrong or missing channel key (+k): set the room's key in the configuration"
        case "477": explanation = "the channel needs a registered/identified nick: configure SASL or NickServ"
        case IRCNumeric.tooManyChannels: explanation = "the bot is in too many channels (CHANLIMIT)"
        default: explanation = "the server refused the join"
        }
        guard let delay = rooms.joinRefused(channel, reason: reason, now: now) else { return [] }
        var actions: [Action] = [.log(.warning, "cannot join \(rooms.canonicalName(channel)): \(explanation) (\(message.command) \(reason)); retrying in \(delay.formattedSeconds)")]
        let joinsInFlight = rooms.hasJoinsInFlight
        if modifyRegistered({ $0.roomAnswered(joinsInFlight: joinsInFlight) }) == true {
            actions.append(.ready)
        }
        return actions
    }

    mutating func receiveInvite(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        // INVITE <nick> <channel>; with invite-notify also for others, which we ignore.
        guard message.parameters.count >= 2, let source = message.source, isMe(message.parameters[0]) else { return [] }
        let channel = message.parameters[1]
        let inviter = resolveIdentity(of: message, nick: source.nick).identity
        guard configuration.invites.allows(room: channel, inviter: inviter) else {
            return [.log(.notice, "ignoring invitation to \(channel) from \(source.nick) (\(inviter?.description ?? "no services account")): not allowed by the invite policy")]
        }
        guard rooms.invited(to: channel) else { return [] }
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        return [.log(.info, "invited to \(channel) by \(source.nick) (\(inviter?.description ?? "no services account")); joining")]
    }

    mutating func receiveNames(_ message: IRCMessage) {
        // 353 <nick> <symbol> <channel> :[prefix]nick …
        guard message.parameters.count >= 4 else { return }
        let symbols = Set(isupport.prefix.map(\.symbol))
        let nicks = message.parameters[3].split(separator: " ").map { entry in
            let name = entry.drop { symbols.contains($0) }
            // userhost-in-names is not requested, but be tolerant.
            return String(name.prefix { $0 != "!" })
        }
        directory.names(nicks.filter { !isMe($0) }, channel: message.parameters[2])
    }

    mutating func receiveWHOX(_ message: IRCMessage) {
        // 354 <me> 611 <nick> <account|0>
        guard message.parameters.count >= 4, message.parameters[1] == Self.whoxToken else { return }
        let account = message.parameters[3]
        directory.setAccount(account == "0" || account == "*" ? nil : account, for: message.parameters[2])
    }
}
