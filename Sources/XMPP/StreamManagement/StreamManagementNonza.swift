/// A XEP-0198 element received from the server.
public enum StreamManagementNonza: Hashable, Sendable {
    /// `<enabled/>`: counting starts now (XEP-0198 §3). `id` is needed to resume later, and is
    /// only useful when `resume` is true; `max` is the server's resumption timeout in seconds;
    /// `location` a preferred host to reconnect to for resumption.
    case enabled(id: String?, resume: Bool, max: Int?, location: String?)
    /// `<resumed/>`: the old session is back; `h` is how many of our stanzas the server had
    /// handled — resend the rest (XEP-0198 §5).
    case resumed(previd: String, h: UInt32)
    /// `<failed/>`: enabling or resuming failed (XEP-0198 §3, §5). `condition` is the stanza error
    /// condition (`item-not-found` when the session expired); `h`, if present, acknowledges
    /// stanzas of the lost session.
    case failed(condition: String?, h: UInt32?)
    /// `<a h='…'/>`: the server handled `h` of our stanzas.
    case ack(h: UInt32)
    /// `<r/>`: the server asks for our count; answer with ``StreamManagement/answer(h:)``.
    case request

    /// Parses an element in `urn:xmpp:sm:3`; `nil` for other elements, and for `<a>` or
    /// `<resumed>` whose `h` is not a 32-bit unsigned integer (XEP-0198 §4).
    public init?(element: XMLElement) {
        guard element.namespace == XMPPNamespace.streamManagement else { return nil }
        switch element.name {
        case "enabled":
            self = .enabled(
                id: element[attribute: "id"],
                resume: Self.boolean(element[attribute: "resume"]),
                max: element[attribute: "max"].flatMap { Int($0) },
                location: element[attribute: "location"]
            )
        case "resumed":
            guard let previd = element[attribute: "previd"], let h = element[attribute: "h"].flatMap({ UInt32($0) }) else { return nil }
            self = .resumed(previd: previd, h: h)
        case "failed":
            self = .failed(
                condition: element.firstChild(inNamespace: XMPPNamespace.stanzaErrors)?.name,
                h: element[attribute: "h"].flatMap { UInt32($0) }
            )
        case "a":
            guard let h = element[attribute: "h"].flatMap({ UInt32($0) }) else { return nil }
            self = .ack(h: h)
        case "r":
            self = .request
        default:
            return nil
        }
    }

    /// XML Schema booleans: `true` or `1`.
    private static func boolean(_ value: String?) -> Bool {
        value == "true" || value == "1"
    }
}
