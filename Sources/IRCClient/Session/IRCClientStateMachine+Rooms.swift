import IRC
import TocsinCore

/// Rooms and who is in them: JOIN/PART/KICK/INVITE/MODE, join refusals, NAMES and WHOX replies,
/// feeding ``IRCRoomTracker`` and ``IRCAccountDirectory``, and telling the core (``Action/room(_:)``)
/// when a room is joined or lost.
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
        var actions: [Action] = [.log(.info, "joined \(name)"), .room(.joined(.room(name, on: network)))]
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
        let name = rooms.canonicalName(channel)
        // Our own `!leave` PART finds the room already forgotten: nothing to report.
        guard let room = rooms.removed(from: channel, reason: "parted: \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now) else {
            return [.log(.info, "left \(name) (\(reason))")]
        }
        var actions: [Action] = [.log(.warning, "left \(name) (\(reason))")]
        if room.origin == .invited {
            actions.append(.room(.removed(.room(name, on: network), reason: "parted: \(reason)")))
        }
        return actions
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
        let removed = rooms.removed(from: channel, reason: "kicked by \(by): \(reason)", rejoinAfter: configuration.rejoinAfterKick, now: now)
        // What is still queued or waiting for its echo will not be taken; the outbox retries it.
        let failures = dropDeliveries(to: channel, name: name)
        if removed?.origin == .invited {
            return [.log(.warning, "kicked from \(name) by \(by) (\(reason)); it was joined on invitation, so it is forgotten, not rejoined"),
                    .room(.removed(.room(name, on: network), reason: "kicked by \(by): \(reason)"))] + failures
        }
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
        guard isupport.isChannel(channel) else { return [] }
        let inviter = resolveIdentity(of: message, nick: source.nick).identity
        // The server stamps the INVITE's source, so an answer can only go back to whoever invited.
        let invitation = RoomInvitation(network: network, room: channel, inviter: inviter, inviterName: source.nick,
                                        answerTo: ChatDestination(network: network, conversation: .direct(source.nick)))
        let decision = invitationDecider?(invitation)
            ?? (configuration.invites.allows(room: channel, inviter: inviter) ? .accept : .refuse(reason: "not allowed by the invite policy"))
        if case .refuse(let reason) = decision {
            return [.log(.notice, "ignoring invitation to \(channel) from \(source.nick) (\(inviter?.description ?? "no services account")): \(reason)")]
        }
        guard rooms.invited(to: channel) else { return [] }
        for join in rooms.joinsDue(now: now, isupport: isupport) {
            enqueue(join, .protocolMessage)
        }
        return [.log(.info, "invited to \(channel) by \(source.nick) (\(inviter?.description ?? "no services account")); joining")]
    }

    mutating func receiveNames(_ message: IRCMessage) -> [Action] {
        // 353 <nick> <symbol> <channel> :[prefix]nick …
        guard message.parameters.count >= 4 else { return [] }
        let symbols = Set(isupport.prefix.map(\.symbol))
        let nicks = message.parameters[3].split(separator: " ").map { entry in
            let name = entry.drop { symbols.contains($0) }
            // userhost-in-names is not requested, but be tolerant.
            return String(name.prefix { $0 != "!" })
        }
        directory.names(nicks.filter { !isMe($0) }, channel: message.parameters[2])
        // Our own entry's prefixes: `@tocsin` in a channel the join created, or given by ChanServ.
        let channel = message.parameters[2]
        for entry in message.parameters[3].split(separator: " ") {
            let marks = entry.prefix { symbols.contains($0) }
            guard !marks.isEmpty, isMe(String(entry.dropFirst(marks.count).prefix { $0 != "!" })) else { continue }
            let modes = marks.compactMap { mark in isupport.prefix.first { $0.symbol == mark }?.mode }
            return dropUnaskedStatus(modes, in: channel)
        }
        return []
    }

    mutating func receiveWHOX(_ message: IRCMessage) {
        // 354 <me> 611 <nick> <account|0>
        guard message.parameters.count >= 4, message.parameters[1] == Self.whoxToken else { return }
        let account = message.parameters[3]
        directory.setAccount(account == "0" || account == "*" ? nil : account, for: message.parameters[2])
    }

    // MARK: Leaving and channel status

    /// `!leave`: forget the room and part it with `reason`. Lines still queued for it fail (the
    /// outbox drops nothing: the core does not queue lines for a room it told us to leave).
    public mutating func leave(_ channel: String, reason: String, now: ContinuousClock.Instant) -> [Action] {
        guard let room = rooms.forget(channel) else {
            return [.log(.notice, "asked to leave \(channel), which the bot is not in")]
        }
        directory.selfLeft(channel)
        let failures = dropDeliveries(to: channel, name: room.name)
        enqueue(IRCMessage(command: "PART", parameters: [room.name, reason]), .protocolMessage)
        return [.log(.info, "leaving \(room.name) on request: \(reason)")] + failures + pump(now: now)
    }

    /// Fails what is queued or waiting for its echo in `channel`.
    mutating func dropDeliveries(to channel: String, name: String) -> [Action] {
        let folded = isupport.caseMapping.fold(channel)
        let dropped = modifyRegistered { $0.deliveries.dropAll(to: folded) } ?? []
        for id in dropped { queue.remove(delivery: id) }
        return dropped.map { Action.failDelivery($0, .notInRoom(network: network, room: name)) }
    }

    /// `MODE #chan +o tocsin` (from ChanServ, an operator, or the server): in a room joined on
    /// invitation the bot gives back any status above voice. Nobody asked it to be an operator
    /// there, and a bot holding +o is a bot the room's own operators cannot kick.
    mutating func receiveMode(_ message: IRCMessage) -> [Action] {
        guard message.parameters.count >= 3, isupport.isChannel(message.parameters[0]) else { return [] }
        let channel = message.parameters[0]
        var arguments = message.parameters.dropFirst(2).makeIterator()
        let prefixModes = Set(isupport.prefix.map(\.mode))
        // CHANMODES=A,B,C,D: A and B always take an argument, C only when set, D never.
        let groups = (isupport.raw["CHANMODES"] ?? "beI,k,l,imnpst").split(separator: ",", omittingEmptySubsequences: false).map(Set.init)
        func takesArgument(_ mode: Character, adding: Bool) -> Bool {
            if prefixModes.contains(mode) { return true }
            if groups.count > 0, groups[0].contains(mode) { return true }
            if groups.count > 1, groups[1].contains(mode) { return true }
            if groups.count > 2, groups[2].contains(mode) { return adding }
            return false
        }
        var adding = true
        var given: [Character] = []
        for mode in message.parameters[1] {
            switch mode {
            case "+": adding = true
            case "-": adding = false
            default:
                guard takesArgument(mode, adding: adding) else { continue }
                let argument = arguments.next()
                if adding, prefixModes.contains(mode), let argument, isMe(argument) { given.append(mode) }
            }
        }
        return dropUnaskedStatus(given, in: channel)
    }

    /// Gives back channel status (anything but voice) in a room joined on invitation.
    mutating func dropUnaskedStatus(_ modes: [Character], in channel: String) -> [Action] {
        guard let room = rooms.room(channel), room.origin == .invited else { return [] }
        let status = modes.filter { $0 != "v" }
        guard !status.isEmpty else { return [] }
        let modeString = "-" + String(status)
        enqueue(IRCMessage(command: "MODE", parameters: [room.name, modeString] + status.map { _ in nick }), .protocolMessage)
        return [.log(.notice, "given +\(String(status)) in \(room.name), which the bot joined on invitation; giving it back (MODE \(modeString))")]
    }
}
