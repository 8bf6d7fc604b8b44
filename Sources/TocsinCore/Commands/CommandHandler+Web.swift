import Foundation

/// What `!web` and `!postmortem` need from the incident pages (`IncidentPages.SignInLinks`):
/// one-time sign-in links and the pages' addresses under `gateway.public_url`.
public protocol WebSignIn: Sendable {
    /// A link that signs `identity` in once, for ``linkLifetime``.
    func signInLink(for identity: ChatIdentity) async throws -> String
    /// `<public_url>/incidents/N/postmortem.md`.
    func postmortemLink(for number: Int) -> String
    /// How long a sign-in link works (a few minutes).
    var linkLifetime: TimeInterval { get }
}

extension CommandHandler {
    /// `!web`: a one-time link that signs the sender in as their verified identity. The link goes
    /// to the sender alone — a direct message on IRC (to the nick that asked) and XMPP (to the
    /// verified bare JID) — never into a room, where anyone could follow it first.
    func webResponse(for message: InboundMessage) async -> CommandResponse {
        let name = CommandName.web.rawValue
        guard let web else {
            return CommandResponse(RichText(plain: "The incident pages are off: set gateway.public_url to turn them on"),
                                   .readReply, command: name, outcome: .unsupported)
        }
        guard let identity = message.identity else {
            let reason = message.identityUnavailableReason ?? "no services account"
            return CommandResponse(RichText([.tone(.warning, "Refused: "),
                                             .plain("\(parser.prefix)web signs you in as your verified identity, and you have none here (\(reason)); log in to your services account or use a non-anonymous room")]),
                                   .readReply, command: name, outcome: .refused)
        }
        let link: String
        do {
            link = try await web.signInLink(for: identity)
        } catch {
            logger.error("could not issue a sign-in link", metadata: ["error": "\(error)"])
            return CommandResponse(RichText([.tone(.critical, "Failed: "), .plain("\(parser.prefix)web: internal error, see Tocsin's log")]),
                                   .readReply, command: name, outcome: .failed)
        }
        let minutes = max(1, Int((web.linkLifetime / 60).rounded()))
        let linkText = RichText([.plain("Sign in to the incident pages as \(identity) (works once, for \(minutes) min): "), .plain(link)])
        guard let privately = Self.privateDestination(for: message, identity: identity) else {
            // Already a direct conversation: answer here.
            return CommandResponse(linkText, .readReply, command: name)
        }
        var response = CommandResponse(RichText(plain: "\(message.senderName): I sent you a sign-in link in a private message."),
                                       .readReply, command: name)
        response.privateReply = OutboxMessage(destination: privately, text: linkText, priority: .readReply)
        return response
    }

    /// Where a private answer to a room line goes; nil when the line was already direct.
    static func privateDestination(for message: InboundMessage, identity: ChatIdentity) -> ChatDestination? {
        guard case .room = message.origin.conversation else { return nil }
        switch identity {
        case .xmpp(let bareJID):
            return ChatDestination(network: message.origin.network, conversation: .direct(bareJID))
        case .ircAccount:
            return ChatDestination(network: message.origin.network, conversation: .direct(message.senderName))
        }
    }

    /// `!postmortem N`: the postmortem's address, once the incident is known to exist.
    func postmortemReply(_ number: Int) async throws -> RichText {
        guard let web else {
            return RichText(plain: "The incident pages are off: set gateway.public_url to turn them on")
        }
        let details = try await service.details(of: number)
        return RichText([.plain("Postmortem of "), .bold("#\(number)"), .plain(" \(details.incident.title): "),
                         .plain(web.postmortemLink(for: number))])
    }
}
