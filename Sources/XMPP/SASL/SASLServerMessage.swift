/// What the server says during SASL negotiation (RFC 6120 §6.4.3–§6.4.6), payloads decoded.
public enum SASLServerMessage: Hashable, Sendable {
    /// `<challenge>`: the next server message (for SCRAM, the server-first message).
    case challenge(String)
    /// `<success>`, with its additional data if any (for SCRAM, the server-final `v=` message,
    /// which must still be verified before trusting the session).
    case success(String?)
    /// `<failure>`: the defined condition (e.g. `not-authorized`) and optional text (RFC 6120 §6.5).
    case failure(condition: String, text: String?)

    /// Parses a top-level element in the SASL namespace; `nil` for anything else.
    /// Throws when a payload is not valid base64.
    public init?(element: XMLElement) throws(SASLError) {
        guard element.namespace == XMPPNamespace.sasl else { return nil }
        switch element.name {
        case "challenge":
            self = .challenge(try SASLPayload.decode(element.text))
        case "success":
            let text = element.text.trimmingXMLWhitespace()
            self = .success(text.isEmpty ? nil : try SASLPayload.decode(text))
        case "failure":
            var condition = "undefined-condition"
            var text: String?
            for child in element.elementChildren where child.namespace == XMPPNamespace.sasl {
                if child.name == "text" { text = child.text } else { condition = child.name }
            }
            self = .failure(condition: condition, text: text)
        default:
            return nil
        }
    }

    /// The failure as an error to throw, or `nil` for challenge and success.
    public var error: SASLError? {
        if case .failure(let condition, let text) = self { return .authenticationFailed(condition: condition, text: text) }
        return nil
    }
}
