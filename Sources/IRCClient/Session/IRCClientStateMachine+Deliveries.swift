import IRC
import TocsinCore

/// Outbox deliveries: rendering an item into lines within the relayed line length, queueing
/// them, and settling each delivery through ``IRCDeliveryTracker`` (write, echo, timeout,
/// refusal).
extension IRCClientStateMachine {
    /// Queues one outbox item. Fails at once when not registered or not in the room.
    public mutating func deliver(_ item: OutboxItem, id: DeliveryID, now: ContinuousClock.Instant) -> [Action] {
        guard case .registered = phase else {
            return [.failDelivery(id, .notConnected(network: network))]
        }
        let target: String
        let foldedTarget: String
        switch item.message.destination.conversation {
        case .room(let name):
            guard rooms.isJoined(name) else {
                return [.failDelivery(id, .notInRoom(network: network, room: name))]
            }
            target = rooms.room(name)?.name ?? name
            let folded = isupport.caseMapping.fold(target)
            guard modifyRegistered({ $0.deliveries.admits(folded, now: now) }) == true else {
                return [.failDelivery(id, .notInRoom(network: network, room: name))]
            }
            foldedTarget = folded
        case .direct(let peer):
            target = peer
            foldedTarget = isupport.caseMapping.fold(peer)
        }
        let command = configuration.replyAsNotice && item.message.priority.isReply ? "NOTICE" : "PRIVMSG"
        let prefix = selfSource?.raw ?? IRCLineSplitter.pessimisticPrefix(nick: nick, user: configuration.username)
        let budget = IRCLineSplitter.textBudget(
            target: target, command: command, selfPrefix: prefix, lineLength: isupport.lineLength)
        let texts = renderer.render(item.message.text, budget: budget)
        guard !texts.isEmpty else {
            return [.log(.debug, "item \(item.id) renders to no text; nothing to send"), .confirmDelivery(id)]
        }
        // The outgoing queue's cap (``IRCOutgoingQueue/deliveryCapacity``): the delivery is
        // refused whole, never sent in part; the outbox keeps it and retries.
        guard queue.canAccept(deliveryLines: texts.count) else {
            return [.log(.warning, "the outgoing queue is full (\(queue.count) lines queued); item \(item.id) waits in the outbox"),
                    .failDelivery(id, .timedOut(network: network))]
        }

        var tags: [IRCTag] = []
        if capabilities.contains("message-tags"), let reply = item.message.inReplyTo, !reply.isEmpty {
            tags.append(IRCTag(key: "+draft/reply", value: reply))
        }
        let awaitsEcho = capabilities.contains("echo-message")
        let labelled = awaitsEcho && capabilities.contains("labeled-response")
        modifyRegistered { $0.deliveries.started(id, target: foldedTarget, awaitsEcho: awaitsEcho) }
        for (index, text) in texts.enumerated() {
            var lineTags = tags
            let isLast = index == texts.count - 1
            if isLast && labelled {
                lineTags.append(IRCTag(key: "label", value: "tocsin\(id.rawValue)"))
            }
            let message = IRCMessage(command: command, parameters: [target, text], tags: lineTags)
            queue.enqueue(IRCQueuedLine(
                message: message, priority: .delivery(item.message.priority), delivery: id, isLastOfDelivery: isLast))
        }
        return pump(now: now)
    }

    /// The outcome of writing the last line of a delivery.
    public mutating func writeCompleted(_ id: DeliveryID, success: Bool, now: ContinuousClock.Instant) -> [Action] {
        switch modifyRegistered({ $0.deliveries.writeCompleted(id, success: success) }) {
        case nil, .unknown?, .awaitingEcho?:
            return []
        case .failed?:
            return [.failDelivery(id, .notConnected(network: network))]
        case .confirmed?:
            return [.confirmDelivery(id)]
        }
    }

    /// Deliveries whose echo did not come back within the confirmation timeout.
    mutating func expireEchoes(now: ContinuousClock.Instant) -> [Action] {
        let expired = modifyRegistered { $0.deliveries.expire(now: now) } ?? []
        return expired.map { .failDelivery($0, .timedOut(network: network)) }
    }

    /// 404 ERR_CANNOTSENDTOCHAN (moderated, banned, not in the channel) or 401 ERR_NOSUCHNICK.
    mutating func receiveSendRefusal(_ message: IRCMessage, now: ContinuousClock.Instant) -> [Action] {
        guard message.parameters.count >= 2 else { return [] }
        let target = message.parameters[1]
        let folded = isupport.caseMapping.fold(target)
        let reason = message.parameters.last ?? ""
        // The person is gone: a reply to them cannot be delivered later either, and retrying
        // would spend the flood budget on a nick that does not exist.
        let personGone = message.command == IRCNumeric.noSuchNick && !isupport.isChannel(target)
        // Otherwise hold this room back for a while instead of writing into a refusal again and again.
        let holdUntil = personGone ? nil : now + sendRefusalHold
        let label = message.tag("label")
        let ids = modifyRegistered { $0.deliveries.refused(target: folded, label: label, holdUntil: holdUntil) } ?? []
        for id in ids { queue.remove(delivery: id) }

        if personGone {
            return [.log(.notice, "dropping a message to \(target): \(reason)")] + ids.map { .confirmDelivery($0) }
        }
        let error = TransportError.notInRoom(network: network, room: rooms.canonicalName(target))
        return [.log(.warning, "the server refused a message to \(target) (\(message.command) \(reason)); holding messages for it for \(sendRefusalHold.formattedSeconds)")]
            + ids.map { .failDelivery($0, error) }
    }
}
