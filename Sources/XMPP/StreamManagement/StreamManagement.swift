/// Builders for XEP-0198 Stream Management (`urn:xmpp:sm:3`) nonzas.
///
/// Stream Management lets both sides count the stanzas they handled, so a dropped TCP
/// connection loses nothing: the client resends what the server never acknowledged and, when the
/// server allows, resumes the old session without rejoining rooms (XEP-0198 §1).
public enum StreamManagement {
    /// `<enable/>` after resource binding (XEP-0198 §3); `resume: true` asks for resumption,
    /// `max` suggests how long (seconds) the server keeps the session after a disconnect.
    public static func enable(resume: Bool = true, max: Int? = nil) -> XMLElement {
        var attributes: [XMLAttribute] = []
        if let max { attributes.append(XMLAttribute("max", String(max))) }
        if resume { attributes.append(XMLAttribute("resume", "true")) }
        return XMLElement("enable", namespace: XMPPNamespace.streamManagement, attributes: attributes)
    }

    /// `<r/>`: asks the server how many of our stanzas it has handled (XEP-0198 §4).
    public static func request() -> XMLElement {
        XMLElement("r", namespace: XMPPNamespace.streamManagement)
    }

    /// `<a h='…'/>`: tells the server how many of its stanzas we handled (XEP-0198 §4).
    public static func answer(h: UInt32) -> XMLElement {
        XMLElement("a", namespace: XMPPNamespace.streamManagement, attributes: [XMLAttribute("h", String(h))])
    }

    /// `<resume previd='…' h='…'/>`, sent instead of binding after authenticating on a new
    /// connection (XEP-0198 §5).
    public static func resume(previd: String, h: UInt32) -> XMLElement {
        XMLElement("resume", namespace: XMPPNamespace.streamManagement, attributes: [
            XMLAttribute("h", String(h)),
            XMLAttribute("previd", previd),
        ])
    }

    /// The stream error to send when the server acknowledges more stanzas than we sent
    /// (XEP-0198 §5: `undefined-condition` with `<handled-count-too-high/>`).
    public static func handledCountTooHighError(h: UInt32, sendCount: UInt32) -> XMLElement {
        var error = StreamError(condition: "undefined-condition", text: "acknowledged \(h) stanzas but only \(sendCount) were sent").element
        error.append(XMLElement("handled-count-too-high", namespace: XMPPNamespace.streamManagement, attributes: [
            XMLAttribute("h", String(h)),
            XMLAttribute("send-count", String(sendCount)),
        ]))
        return error
    }
}
