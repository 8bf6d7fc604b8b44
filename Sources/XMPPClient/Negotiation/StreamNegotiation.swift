import Foundation
import XMPP

/// The client side of XMPP stream negotiation as a plain value: stream header → features →
/// STARTTLS → restart → SASL → restart → bind (or XEP-0198 resume) → stream management.
///
/// It does no I/O. The connection feeds it parser events and the "TLS handler installed"
/// signal, and carries out the ``Action``s it returns, so every step is testable without a socket.
/// Each state case holds exactly the data that step needs (the SCRAM exchange lives only inside
/// ``State/authenticating(_:)``), so an invalid transition cannot be written.
struct StreamNegotiation: Sendable {
    /// What the negotiation needs to know about the account and transport.
    struct Settings: Sendable {
        var jid: JID
        var password: String
        var resource: String
        var tls: XMPPClientConfiguration.TLSMode
        var allowPlain: Bool
        /// A previous XEP-0198 session to resume instead of binding anew.
        var resumption: Resumption?
        /// SCRAM nonce for tests; `nil` draws a random one.
        var scramNonce: String? = nil
    }

    /// What is needed to resume: the server's id and how many of its stanzas we handled.
    struct Resumption: Sendable, Hashable {
        var id: String
        var handled: UInt32
    }

    /// What the connection must do next.
    enum Action: Sendable, Equatable {
        /// Write this text as is (stream header).
        case write(String)
        /// Write this element.
        case send(XMLElement)
        /// Put TLS in front of the pipeline now; call ``tlsStarted()`` once it is.
        case startTLS
        /// Start a fresh XML document: the stream restarts (RFC 6120 §5.4.3.3, §6.4.6).
        case resetParser
        /// Negotiation is over.
        case established(Outcome)
    }

    /// The result of a successful negotiation.
    struct Outcome: Sendable, Hashable {
        var boundJID: JID
        var streamManagement: StreamManagementOutcome
    }

    enum StreamManagementOutcome: Sendable, Hashable {
        /// The server does not do XEP-0198 (or refused to enable it).
        case unavailable(resumeFailed: ResumeFailure?)
        /// Enabled on a new session; `resumptionID` is set when the server allows resuming.
        case enabled(resumptionID: String?, maxSeconds: Int?, resumeFailed: ResumeFailure?)
        /// The previous session was resumed; `handled` is how many of our stanzas the server has.
        case resumed(handled: UInt32)
    }

    /// A `<failed/>` answer to `<resume/>`; XEP-0198 1.6 lets it carry the server's `h`.
    struct ResumeFailure: Sendable, Hashable {
        var handled: UInt32?
    }

    // MARK: States

    enum Phase: Sendable, Hashable {
        /// Nothing negotiated yet (plain TCP, or direct TLS).
        case initial
        /// After STARTTLS.
        case encrypted
        /// After SASL success.
        case authenticated
    }

    struct AwaitingHeader: Sendable, Hashable { var phase: Phase }
    struct AwaitingFeatures: Sendable, Hashable { var phase: Phase }
    struct Authenticating: Sendable {
        var mechanism: SASLMechanismName
        /// `nil` for PLAIN.
        var scram: SCRAMClient?
        /// Whether the server's SCRAM signature was already verified (it came in a challenge).
        var serverVerified = false
        var sentFinal = false
    }
    struct Binding: Sendable, Hashable {
        var requestID: String
        var features: StreamFeatures
        var resumeFailed: ResumeFailure?
    }
    struct StartingSession: Sendable, Hashable {
        var requestID: String
        var boundJID: JID
        var features: StreamFeatures
        var resumeFailed: ResumeFailure?
    }
    struct Resuming: Sendable, Hashable {
        var features: StreamFeatures
    }
    struct Enabling: Sendable, Hashable {
        var boundJID: JID
        var resumeFailed: ResumeFailure?
    }

    enum State: Sendable {
        case idle
        case awaitingHeader(AwaitingHeader)
        case awaitingFeatures(AwaitingFeatures)
        case awaitingProceed
        case awaitingTLS
        case authenticating(Authenticating)
        case resuming(Resuming)
        case binding(Binding)
        case startingSession(StartingSession)
        case enablingStreamManagement(Enabling)
        case established(Outcome)
        case failed
    }

    private(set) var state: State = .idle
    private(set) var isEncrypted: Bool
    /// The SASL mechanism that succeeded, for logs.
    private(set) var authenticatedWith: SASLMechanismName?
    /// The SASL mechanisms the server offered, for logs.
    private(set) var offeredMechanisms: [String] = []
    private let settings: Settings
    private var nextID = 0

    init(settings: Settings) {
        self.settings = settings
        isEncrypted = settings.tls == .directTLS
    }

    var isEstablished: Bool {
        if case .established = state { return true }
        return false
    }

    /// A short name of the current step, for logs and errors.
    var stepName: String {
        switch state {
        case .idle: "connecting"
        case .awaitingHeader: "waiting for the stream header"
        case .awaitingFeatures: "waiting for stream features"
        case .awaitingProceed, .awaitingTLS: "starting TLS"
        case .authenticating(let auth): "authenticating with \(auth.mechanism.rawValue)"
        case .resuming: "resuming the stream"
        case .binding: "binding a resource"
        case .startingSession: "starting the session"
        case .enablingStreamManagement: "enabling stream management"
        case .established: "established"
        case .failed: "failed"
        }
    }

    // MARK: Events

    /// The transport is connected (and, for direct TLS, encrypted): open the stream.
    mutating func start() -> [Action] {
        guard case .idle = state else { return [] }
        return openStream(phase: .initial)
    }

    /// The TLS handler is in place after `<proceed/>`: open the stream again, now encrypted.
    mutating func tlsStarted() -> [Action] {
        guard case .awaitingTLS = state else { return [] }
        isEncrypted = true
        return openStream(phase: .encrypted)
    }

    /// The server opened its stream.
    mutating func streamOpened() throws(NegotiationError) -> [Action] {
        guard case .awaitingHeader(let awaiting) = state else {
            throw fail(.unexpectedElement(step: stepName, element: "stream:stream"))
        }
        state = .awaitingFeatures(AwaitingFeatures(phase: awaiting.phase))
        return []
    }

    /// A top-level element arrived while negotiating.
    mutating func receive(_ element: XMLElement) throws(NegotiationError) -> [Action] {
        switch state {
        case .awaitingFeatures(let awaiting):
            guard element.matches(name: "features", namespace: XMPPNamespace.streams) else {
                throw fail(.unexpectedElement(step: stepName, element: element.name))
            }
            return try featuresReceived(StreamFeatures(element: element), phase: awaiting.phase)

        case .awaitingProceed:
            if element.matches(name: "proceed", namespace: XMPPNamespace.tls) {
                state = .awaitingTLS
                return [.startTLS, .resetParser]
            }
            if element.matches(name: "failure", namespace: XMPPNamespace.tls) { throw fail(.startTLSRefused) }
            throw fail(.unexpectedElement(step: stepName, element: element.name))

        case .authenticating(var auth):
            let message: SASLServerMessage?
            do {
                message = try SASLServerMessage(element: element)
            } catch {
                throw fail(.authentication(error))
            }
            guard let message else { throw fail(.unexpectedElement(step: stepName, element: element.name)) }
            let actions = try authenticationStep(&auth, message)
            if case .authenticating = state { state = .authenticating(auth) }
            return actions

        case .resuming(let resuming):
            switch StreamManagementNonza(element: element) {
            case .resumed(_, let handled):
                let outcome = Outcome(boundJID: boundJIDForResume, streamManagement: .resumed(handled: handled))
                state = .established(outcome)
                return [.established(outcome)]
            case .failed(_, let handled):
                return try bind(features: resuming.features, resumeFailed: ResumeFailure(handled: handled))
            default:
                throw fail(.unexpectedElement(step: stepName, element: element.name))
            }

        case .binding(let binding):
            guard let iq = IQ(element: element), iq.id == binding.requestID else { return [] }
            if iq.type == .error {
                throw fail(.bindFailed(iq.error?.condition ?? "undefined-condition"))
            }
            guard iq.type == .result,
                  let text = iq.payload?.firstChild(named: "jid", namespace: XMPPNamespace.bind)?.text,
                  let bound = try? JID(text.trimmingCharacters(in: .whitespacesAndNewlines))
            else { throw fail(.bindFailed("the result carries no valid <jid/>")) }
            if binding.features.sessionRequired {
                let id = makeID("session")
                state = .startingSession(StartingSession(requestID: id, boundJID: bound, features: binding.features, resumeFailed: binding.resumeFailed))
                return [.send(Stanza.session(id: id))]
            }
            return enableStreamManagement(boundJID: bound, features: binding.features, resumeFailed: binding.resumeFailed)

        case .startingSession(let starting):
            guard let iq = IQ(element: element), iq.id == starting.requestID else { return [] }
            // A failed legacy session is harmless on servers that implement RFC 6120 binding.
            return enableStreamManagement(boundJID: starting.boundJID, features: starting.features, resumeFailed: starting.resumeFailed)

        case .enablingStreamManagement(let enabling):
            switch StreamManagementNonza(element: element) {
            case .enabled(let id, let resume, let max, _):
                let outcome = Outcome(
                    boundJID: enabling.boundJID,
                    streamManagement: .enabled(resumptionID: resume ? id : nil, maxSeconds: max, resumeFailed: enabling.resumeFailed))
                state = .established(outcome)
                return [.established(outcome)]
            case .failed:
                let outcome = Outcome(boundJID: enabling.boundJID, streamManagement: .unavailable(resumeFailed: enabling.resumeFailed))
                state = .established(outcome)
                return [.established(outcome)]
            default:
                // Stanzas may not arrive before <enabled/>; anything else is ignored.
                return []
            }

        case .idle, .awaitingHeader, .awaitingTLS, .established, .failed:
            throw fail(.unexpectedElement(step: stepName, element: element.name))
        }
    }

    // MARK: Steps

    private mutating func openStream(phase: Phase) -> [Action] {
        state = .awaitingHeader(AwaitingHeader(phase: phase))
        // RFC 6120 §4.7.1: send `from` only once the stream is encrypted.
        return [.write(StreamHeader.open(to: settings.jid.domainpart, from: isEncrypted ? settings.jid.bare.description : nil))]
    }

    private mutating func featuresReceived(_ features: StreamFeatures, phase: Phase) throws(NegotiationError) -> [Action] {
        if phase == .authenticated {
            if let resumption = settings.resumption, features.streamManagement {
                state = .resuming(Resuming(features: features))
                return [.send(StreamManagement.resume(previd: resumption.id, h: resumption.handled))]
            }
            return try bind(features: features, resumeFailed: nil)
        }

        if !isEncrypted {
            switch settings.tls {
            case .startTLS, .directTLS:
                guard features.startTLS else { throw fail(.startTLSNotOffered) }
                state = .awaitingProceed
                return [.send(Stanza.startTLS())]
            case .plaintext:
                if features.startTLSRequired { throw fail(.serverRequiresTLS) }
            }
        }

        offeredMechanisms = features.saslMechanisms
        guard let mechanism = SASLMechanismName.preferred(from: features.saslMechanisms, allowPlain: settings.allowPlain && isEncrypted) else {
            throw fail(.noUsableMechanism(offered: features.saslMechanisms, plainAllowed: settings.allowPlain, encrypted: isEncrypted))
        }
        let username = settings.jid.localpart ?? ""
        if let hash = mechanism.scramHash {
            var scram = SCRAMClient(hash: hash, username: username, password: settings.password, nonce: settings.scramNonce)
            let first = scram.clientFirstMessage()
            state = .authenticating(Authenticating(mechanism: mechanism, scram: scram))
            return [.send(Stanza.auth(mechanism: mechanism, initialResponse: SASLPayload.encode(first)))]
        }
        state = .authenticating(Authenticating(mechanism: mechanism, scram: nil))
        return [.send(Stanza.auth(mechanism: mechanism, initialResponse: SASLPlain.initialResponse(authcid: username, password: settings.password)))]
    }

    /// One SASL round (RFC 6120 §6.4.3–§6.4.6). SCRAM's server signature is always verified before
    /// the session is trusted (RFC 5802 §9): in `<success>` data, or in a final challenge that some
    /// servers send instead.
    private mutating func authenticationStep(_ auth: inout Authenticating, _ message: SASLServerMessage) throws(NegotiationError) -> [Action] {
        do {
            switch message {
            case .failure(let condition, let text):
                throw SASLError.authenticationFailed(condition: condition, text: text)
            case .challenge(let challenge):
                guard var scram = auth.scram else {
                    throw SASLError.malformedServerMessage("unexpected challenge during PLAIN")
                }
                if !auth.sentFinal {
                    let final = try scram.clientFinalMessage(serverFirst: challenge)
                    auth.scram = scram
                    auth.sentFinal = true
                    return [.send(Stanza.saslResponse(SASLPayload.encode(final)))]
                }
                try scram.verifyServerFinal(challenge)
                auth.serverVerified = true
                return [.send(Stanza.saslResponse(""))]
            case .success(let data):
                if let scram = auth.scram {
                    if let data {
                        try scram.verifyServerFinal(data)
                    } else if !auth.serverVerified {
                        throw SASLError.malformedServerMessage("success without the server signature (v=)")
                    }
                }
                authenticatedWith = auth.mechanism
                return [.resetParser] + openStream(phase: .authenticated)
            }
        } catch let error as SASLError {
            throw fail(.authentication(error))
        } catch {
            throw fail(.authentication(.malformedServerMessage("\(error)")))
        }
    }

    private mutating func bind(features: StreamFeatures, resumeFailed: ResumeFailure?) throws(NegotiationError) -> [Action] {
        guard features.bind else { throw fail(.bindFailed("the server offers no resource binding")) }
        let id = makeID("bind")
        state = .binding(Binding(requestID: id, features: features, resumeFailed: resumeFailed))
        return [.send(Stanza.bind(resource: settings.resource, id: id))]
    }

    private mutating func enableStreamManagement(boundJID: JID, features: StreamFeatures, resumeFailed: ResumeFailure?) -> [Action] {
        guard features.streamManagement else {
            let outcome = Outcome(boundJID: boundJID, streamManagement: .unavailable(resumeFailed: resumeFailed))
            state = .established(outcome)
            return [.established(outcome)]
        }
        state = .enablingStreamManagement(Enabling(boundJID: boundJID, resumeFailed: resumeFailed))
        return [.send(StreamManagement.enable(resume: true))]
    }

    /// On resume no bind happens; the full JID stays the one of the previous session, which the
    /// session layer knows. The account's bare JID stands in here.
    private var boundJIDForResume: JID { settings.jid.bare }

    private mutating func makeID(_ purpose: String) -> String {
        nextID += 1
        return "\(purpose)-\(nextID)"
    }

    private mutating func fail(_ error: NegotiationError) -> NegotiationError {
        state = .failed
        return error
    }
}
