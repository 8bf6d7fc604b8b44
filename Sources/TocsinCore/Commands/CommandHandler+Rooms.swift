/// `!help` as it applies to the room it is asked in, and `!leave`.
extension CommandHandler {
    /// What runs in `origin` and why the rest does not (``RoomCommands``).
    func roomCommands(at origin: ChatDestination) -> RoomCommands {
        let kind: RoomCommands.Kind
        if let rooms {
            kind = rooms.kind(of: origin)
        } else if case .direct = origin.conversation {
            kind = .direct
        } else {
            kind = policy.rooms[origin.folded] != nil ? .configured : .other
        }
        return RoomCommands(kind: kind, room: origin.conversation.description, policy: policy.policy(for: origin),
                            supported: service.supportedCommands, backendName: service.backendName, knowsRooms: rooms != nil)
    }

    /// `!help`: the commands enabled here, then those that exist but are off here with the
    /// reason; `!help COMMAND`: its usage, or why it is off here.
    func help(_ topic: CommandName?, at origin: ChatDestination) -> RichText {
        let prefix = parser.prefix
        let commands = roomCommands(at: origin)
        if let topic {
            if let reason = commands.reason(topic) {
                return RichText([.code("\(prefix)\(topic.rawValue)"), .plain(" is off here: \(reason)")])
            }
            let access: String
            if topic == .leave {
                access = " (the inviter, or a writer of this room)"
            } else {
                access = topic.isWrite ? " (needs a verified, mapped identity)" : ""
            }
            let unavailable = commands.isShown(topic) ? "" : " (not available here)"
            return RichText([.code("\(prefix)\(topic.usage)"), .plain(" — \(topic.summary)\(access)\(unavailable)")])
        }
        var spans: [Span] = [.plain("Commands: "),
                             .code(commands.enabled.map { "\(prefix)\($0.rawValue)" }.joined(separator: " ")),
                             .plain(" — \(prefix)help COMMAND for details")]
        // Only what is enabled is listed; the one refusal people stumble on is said outright.
        let readOnly = commands.off.filter { $0.command.isWrite && $0.reason.contains("read-only") }
        if let first = readOnly.first {
            spans.append(.plain(" — off here: " + readOnly.map { "\(prefix)\($0.command.rawValue)" }.joined(separator: " ")
                + ", \(first.reason)"))
        }
        // Issue 13, item 3: people in a recorded room are told what is kept of what they say.
        if let disclosure = recording?.current.mode(for: origin).disclosure {
            spans.append(.plain(" — recorded here: \(disclosure)"))
        }
        return RichText(spans)
    }

    /// `!leave`: only in a room held by invitation, by its inviter or one of the room's writers.
    /// The answer is the part itself (IRC PART reason, XMPP unavailable status): a line queued for
    /// a room the bot has left could never be delivered.
    func leaveResponse(for message: InboundMessage) async -> CommandResponse {
        let prefix = parser.prefix
        func refused(_ reason: String) -> CommandResponse {
            CommandResponse(RichText([.tone(.warning, "Refused: "), .plain(reason)]), .readReply, command: "leave", outcome: .refused)
        }
        guard case .room(let roomName) = message.origin.conversation else {
            return refused("\(prefix)leave works in a room: say it in the room the bot should leave")
        }
        guard let rooms else { return refused("this gateway does not leave rooms on request") }
        switch rooms.kind(of: message.origin) {
        case .configured:
            return refused("\(roomName) is a configured room: remove it from the configuration to make the bot leave")
        case .other, .direct:
            return refused("the bot was not invited to \(roomName), so it does not leave on request")
        case .invited:
            break
        }
        guard let invited = rooms.invitedRoom(message.origin) else {
            return refused("the bot was not invited to \(roomName), so it does not leave on request")
        }
        guard let identity = message.identity else {
            let reason = message.identityUnavailableReason
                ?? "you are not identified to services — log in (SASL or NickServ) and try again"
            return refused("\(message.senderName): \(prefix)leave needs a verified identity: \(reason)")
        }
        guard identity == invited.inviter || isWriter(identity, in: message.origin) else {
            return refused("only \(invited.inviterName) (who invited the bot) or this room's writers may make it leave")
        }
        let reason = "Leaving on \(prefix)leave by \(message.senderName) — invite me again to bring me back"
        guard await rooms.leave(message.origin, reason: reason) else {
            return refused("the bot is no longer in \(roomName) by invitation")
        }
        var response = CommandResponse(RichText(plain: reason), .readReply, command: "leave")
        // Nothing to store: the part carries the words, and the room will not take a line any more.
        response.committed = []
        return response
    }

    private func isWriter(_ identity: ChatIdentity, in origin: ChatDestination) -> Bool {
        switch policy.policy(for: origin).writers {
        case .nobody: false
        case .anyMapped: policy.identities[identity] != nil
        case .only(let writers): writers.contains(identity)
        }
    }
}
