/// `!subscribe`, `!unsubscribe`, `!subscriptions` (issue 12, item 2): a room's writers connect it
/// to a service's, a team's or all incidents from chat, like "connect this channel" in PagerDuty's
/// Slack app. The change is made in the shared ``RouteTable`` (effective at once) and in the
/// database (kept across restarts); configuration routes are shown beside them, read-only.
extension CommandHandler {
    func subscriptionReply(_ command: Command, message: InboundMessage) async throws -> RichText {
        let prefix = parser.prefix
        guard case .room(let roomName) = message.origin.conversation else {
            return RichText(plain: "\(prefix)\(command.name.rawValue) works in a room: say it in the room that should hear the announcements")
        }
        guard let router else {
            return RichText(plain: "subscriptions from chat are not enabled on this gateway")
        }
        let origin = message.origin
        switch command {
        case .subscribe(var request):
            if case .service(let name) = request.scope, let knownServices {
                guard let known = knownServices.first(where: { $0.lowercased() == name.lowercased() }) else {
                    let list = knownServices.sorted().joined(separator: ", ")
                    return RichText([.tone(.warning, "Failed: "),
                                     .plain("no service named \"\(name)\"\(list.isEmpty ? "" : " — services: \(list)"), or team:TEAM, or all")])
                }
                request.scope = .service(known)
            }
            let addedBy = message.identity.map { identityName($0) } ?? message.senderName
            let rule = request.rule(for: origin, source: .chat(addedBy: addedBy))
            switch router.table.add(rule) {
            case .duplicate(let existing):
                let whence = existing.source.isConfiguration ? " (configuration route)" : ""
                return RichText(plain: "\(roomName) is already subscribed to \(existing.filterDescription)\(whence)")
            case .added:
                do {
                    try await subscriptionStore?.saveSubscription(rule)
                } catch {
                    _ = router.table.remove(rule)
                    logger.error("could not store a subscription", metadata: ["rule": "\(rule.filterKey)", "error": "\(error)"])
                    throw IncidentServiceError.unavailable("the subscription could not be stored (\(error)); nothing changed")
                }
                logger.notice("subscribed from chat", metadata: ["room": "\(origin)", "filter": "\(rule.filterDescription)", "by": "\(addedBy)"])
                return RichText([.tone(.success, "Subscribed: "),
                                 .plain("\(roomName) now gets \(rule.filterDescription) — "),
                                 .code("\(prefix)unsubscribe \(rule.filterDescription)"), .plain(" to stop")])
            }
        case .unsubscribe(let request):
            let rule = request.rule(for: origin, source: .chat(addedBy: nil))
            switch router.table.remove(rule) {
            case .removed(let removed):
                do {
                    try await subscriptionStore?.deleteSubscription(removed)
                } catch {
                    _ = router.table.add(removed)
                    logger.error("could not delete a subscription", metadata: ["rule": "\(removed.filterKey)", "error": "\(error)"])
                    throw IncidentServiceError.unavailable("the subscription could not be removed from the database (\(error)); nothing changed")
                }
                logger.notice("unsubscribed from chat", metadata: ["room": "\(origin)", "filter": "\(removed.filterDescription)"])
                return RichText([.tone(.success, "Unsubscribed: "), .plain("\(roomName) no longer gets \(removed.filterDescription)")])
            case .configured(let configured):
                return RichText([.tone(.warning, "Refused: "),
                                 .plain("\(configured.filterDescription) is a configuration route of \(roomName), read-only from chat (change `routes:` in the configuration)")])
            case .notFound:
                return RichText([.plain("\(roomName) has no subscription \(rule.filterDescription) — "), .code("\(prefix)subscriptions"),
                                 .plain(" lists them")])
            }
        case .subscriptions:
            return subscriptionList(router.rules(for: origin), room: roomName, on: origin.network)
        default:
            return RichText(plain: "\(prefix)\(command.name.rawValue) is not a subscription command")
        }
    }

    /// `#ops gets: api high (configuration, read-only) · team:storage triggered (by alice)`.
    func subscriptionList(_ rules: [RouteRule], room: String, on network: String) -> RichText {
        let prefix = parser.prefix
        guard !rules.isEmpty else {
            return RichText([.plain("\(room) is subscribed to nothing — "), .code("\(prefix)\(CommandName.subscribe.usage)")])
        }
        var spans: [Span] = [.plain("\(room) gets: ")]
        for (index, rule) in rules.enumerated() {
            if index > 0 { spans.append(.plain(" · ")) }
            spans.append(.bold(rule.filterDescription))
            switch rule.source {
            case .configuration: spans.append(.tone(.muted, " (configuration, read-only)"))
            case .chat(let addedBy): spans.append(.tone(.muted, addedBy.map { " (by \($0))" } ?? " (from chat)"))
            }
        }
        return RichText(spans)
    }

    /// A person's chat name from their verified identity (the IRC account, the JID's localpart).
    func identityName(_ identity: ChatIdentity) -> String {
        switch identity {
        case .ircAccount(_, let account): account
        case .xmpp(let jid): jid.split(separator: "@").first.map(String.init) ?? jid
        }
    }
}
