import Foundation
import TocsinCore

/// Builders for the values most tests need, with every field defaulted so a test only spells out
/// what it is about.
enum Fixtures {
    static let network = "libera"
    static let ops = ChatDestination.room("#ops", on: network)
    static let alice = ChatIdentity.irc(network: network, account: "alice")
    static let bob = ChatIdentity.irc(network: network, account: "bob")
    static let epoch = Date(timeIntervalSince1970: 1_767_225_600)

    static func incident(
        _ number: Int, title: String = "API latency", service: String = "api", team: String? = "platform",
        urgency: Urgency = .high, severity: Severity? = nil, status: IncidentStatus = .triggered,
        assignee: String? = nil, escalationLevel: Int? = nil, url: String? = nil
    ) -> Incident {
        Incident(
            number: number, id: "P\(number)", title: title, service: service, team: team, urgency: urgency,
            severity: severity, status: status, assignee: assignee, escalationLevel: escalationLevel,
            createdAt: epoch, updatedAt: epoch, url: url)
    }

    static func event(
        _ kind: IncidentEventKind, _ incident: Incident = incident(1), id: String = UUID().uuidString,
        actor: String? = nil, detail: String? = nil
    ) -> IncidentEvent {
        IncidentEvent(id: id, kind: kind, incident: incident, actor: actor, detail: detail, occurredAt: epoch)
    }

    static func message(
        _ text: String, in origin: ChatDestination = ops, from senderName: String = "alice",
        identity: ChatIdentity? = alice, identityUnavailableReason: String? = nil, messageID: String? = nil,
        botNames: [String] = ["tocsin"]
    ) -> InboundMessage {
        InboundMessage(
            origin: origin, senderName: senderName, identity: identity,
            identityUnavailableReason: identityUnavailableReason, text: text, messageID: messageID, botNames: botNames)
    }

    static func direct(_ text: String, with peer: String = "alice", identity: ChatIdentity? = alice) -> InboundMessage {
        message(text, in: ChatDestination(network: network, conversation: .direct(peer)), from: peer, identity: identity)
    }
}

/// Polls `condition` every few milliseconds for at most `timeout`; async work in the dispatcher
/// has no completion callback, so tests wait for its visible effect instead of sleeping blindly.
/// The bound is generous on purpose: it costs time only when a test fails, and `swift test` runs
/// a thousand tests side by side on CI's two cores.
func eventually(
    timeout: Duration = .seconds(30), _ condition: @Sendable () async -> Bool
) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return await condition()
}
