import CExpat

/// The mutable state behind ``XMPPStreamParser``; a class so expat callbacks can reach it
/// through a stable user-data pointer.
final class XMPPStreamParserState {
    /// A character that cannot occur in XML 1.0 at all (not even as a character reference), so
    /// it can never be part of a namespace URI or name that expat joins with it.
    static let namespaceSeparator: XML_Char = 0x01

    let limits: XMPPStreamParser.Limits
    private var parser: XML_Parser
    private var events: [XMPPStreamEvent] = []
    private var failure: XMPPStreamError?
    /// Open elements below the stream root; the first is the top-level element being built.
    private var stack: [PartialElement] = []
    private var rootOpen = false
    private var rootClosed = false
    /// Byte offset just after the last complete top-level item (header, stanza or whitespace);
    /// the distance from here to the newest byte is what ``Limits/maxStanzaBytes`` caps.
    private var boundary = 0
    private var bytesFed = 0

    /// Expat is fed at most this many bytes at a time so the size limit is checked often even
    /// when the caller hands over a large buffer.
    private static let sliceSize = 16 * 1024

    init(limits: XMPPStreamParser.Limits) {
        self.limits = limits
        parser = Self.makeParser()
        configure()
    }

    deinit {
        XML_ParserFree(parser)
    }

    func reset() {
        XML_ParserFree(parser)
        parser = Self.makeParser()
        events = []
        failure = nil
        stack = []
        rootOpen = false
        rootClosed = false
        boundary = 0
        bytesFed = 0
        configure()
    }

    func feed(_ bytes: some Collection<UInt8>) throws(XMPPStreamError) -> [XMPPStreamEvent] {
        if let failure { throw failure }
        let parsedInPlace = bytes.withContiguousStorageIfAvailable { buffer -> Bool in
            parse(UnsafeRawBufferPointer(buffer))
            return true
        } ?? false
        if !parsedInPlace {
            let copy = Array(bytes)
            copy.withUnsafeBytes { parse($0) }
        }
        if let failure {
            events = []
            throw failure
        }
        defer { events = [] }
        return events
    }

    // MARK: Parsing

    private func parse(_ buffer: UnsafeRawBufferPointer) {
        // Bytes 0x00, 0xFE and 0xFF never occur in UTF-8 XML; they are what a UTF-16 stream
        // (or its byte-order mark) starts with, and expat would switch to UTF-16 on seeing them
        // at the start of a document even though UTF-8 is requested. Everything before such a
        // byte is parsed normally, so earlier errors and events keep their order.
        let invalidByte = buffer.firstIndex { $0 == 0x00 || $0 >= 0xFE }
        let valid = UnsafeRawBufferPointer(rebasing: buffer[..<(invalidByte ?? buffer.count)])
        var offset = 0
        while offset < valid.count, failure == nil {
            let length = min(Self.sliceSize, valid.count - offset)
            let slice = valid.baseAddress!.advanced(by: offset).assumingMemoryBound(to: CChar.self)
            let status = XML_Parse(parser, slice, Int32(length), 0 /* not final: the stream goes on */)
            offset += length
            bytesFed += length
            if status == XML_STATUS_ERROR {
                if failure == nil { failure = expatError() }
                return
            }
            if !rootClosed, bytesFed - boundary > limits.maxStanzaBytes {
                fail(.policyViolation(stanzaTooLarge(at: bytesFed - boundary, complete: false)))
            }
        }
        if let invalidByte, failure == nil {
            let byte = String(buffer[invalidByte], radix: 16, uppercase: true)
            fail(.unsupportedEncoding("byte 0x\(byte.count == 1 ? "0" + byte : byte) at offset \(bytesFed) cannot occur in UTF-8 XML"))
        }
    }

    private func expatError() -> XMPPStreamError {
        let code = XML_GetErrorCode(parser)
        let message = XML_ErrorString(code).map { String(cString: $0) } ?? "unknown expat error \(code.rawValue)"
        switch code {
        case XML_ERROR_UNDEFINED_ENTITY, XML_ERROR_EXTERNAL_ENTITY_HANDLING,
             XML_ERROR_ENTITY_DECLARED_IN_PE, XML_ERROR_RECURSIVE_ENTITY_REF,
             XML_ERROR_BINARY_ENTITY_REF, XML_ERROR_ATTRIBUTE_EXTERNAL_ENTITY_REF:
            return .restrictedXML("entity reference other than the five predefined ones (\(message))")
        default:
            return .notWellFormed(
                message: message,
                line: Int(XML_GetCurrentLineNumber(parser)),
                column: Int(XML_GetCurrentColumnNumber(parser))
            )
        }
    }

    private func stanzaTooLarge(at size: Int, complete: Bool) -> String {
        let what = complete ? "a \(size)-byte top-level element" : "a top-level element still incomplete after \(size) bytes"
        return "\(what) exceeds the \(limits.maxStanzaBytes)-byte limit"
    }

    /// Records the first failure and asks expat to stop; later callbacks are ignored.
    fileprivate func fail(_ error: XMPPStreamError) {
        guard failure == nil else { return }
        failure = error
        XML_StopParser(parser, XML_FALSE)
    }

    private var isActive: Bool { failure == nil }

    /// Byte offset just past the token expat is currently reporting.
    private var currentEventEnd: Int {
        Int(XML_GetCurrentByteIndex(parser)) + Int(XML_GetCurrentByteCount(parser))
    }

    // MARK: Callbacks

    fileprivate func startElement(_ rawName: UnsafePointer<XML_Char>, _ rawAttributes: UnsafeMutablePointer<UnsafePointer<XML_Char>?>?) {
        guard isActive else { return }
        let (namespace, name) = Self.splitName(rawName)
        let attributes = Self.attributes(rawAttributes)
        if !rootOpen {
            guard namespace == XMPPNamespace.streams, name == "stream" else {
                let found = namespace.map { "{\($0)}\(name)" } ?? name
                fail(.invalidNamespace("expected <stream:stream> in \(XMPPNamespace.streams), got <\(found)>"))
                return
            }
            rootOpen = true
            boundary = currentEventEnd
            events.append(.streamOpened(XMLElement(parsedName: name, namespace: namespace, attributes: attributes, children: [])))
            return
        }
        guard stack.count < limits.maxDepth else {
            fail(.policyViolation("elements nested deeper than the limit of \(limits.maxDepth)"))
            return
        }
        if !stack.isEmpty { stack[stack.count - 1].flushText() }
        stack.append(PartialElement(name: name, namespace: namespace, attributes: attributes))
    }

    fileprivate func endElement() {
        guard isActive else { return }
        guard var partial = stack.popLast() else {
            rootClosed = true
            events.append(.streamClosed)
            return
        }
        partial.flushText()
        let element = XMLElement(parsedName: partial.name, namespace: partial.namespace, attributes: partial.attributes, children: partial.children)
        if stack.isEmpty {
            let end = currentEventEnd
            guard end - boundary <= limits.maxStanzaBytes else {
                fail(.policyViolation(stanzaTooLarge(at: end - boundary, complete: true)))
                return
            }
            boundary = end
            events.append(.stanza(element))
        } else {
            stack[stack.count - 1].children.append(.element(element))
        }
    }

    fileprivate func characterData(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard isActive else { return }
        if stack.isEmpty {
            // Between top-level elements only whitespace (keepalives) may appear.
            guard bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                fail(.badFormat("text outside any stanza"))
                return
            }
            boundary = currentEventEnd
        } else {
            stack[stack.count - 1].pendingText += String(decoding: bytes, as: UTF8.self)
        }
    }

    fileprivate func restricted(_ what: String) {
        guard isActive else { return }
        fail(.restrictedXML(what))
    }

    // MARK: Setup

    private static func makeParser() -> XML_Parser {
        guard let parser = XML_ParserCreateNS("UTF-8", namespaceSeparator) else {
            // Expat only fails here when malloc fails; there is no meaningful recovery.
            fatalError("libexpat could not allocate a parser (out of memory)")
        }
        return parser
    }

    private func configure() {
        XML_SetUserData(parser, Unmanaged.passUnretained(self).toOpaque())
        XML_SetElementHandler(parser, expatStartElement, expatEndElement)
        XML_SetCharacterDataHandler(parser, expatCharacterData)
        XML_SetCommentHandler(parser, expatComment)
        XML_SetProcessingInstructionHandler(parser, expatProcessingInstruction)
        XML_SetStartDoctypeDeclHandler(parser, expatStartDoctype)
        XML_SetEntityDeclHandler(parser, expatEntityDeclaration)
        XML_SetUnparsedEntityDeclHandler(parser, expatUnparsedEntityDeclaration)
        XML_SetNotationDeclHandler(parser, expatNotationDeclaration)
        XML_SetExternalEntityRefHandler(parser, expatExternalEntityReference)
        XML_SetSkippedEntityHandler(parser, expatSkippedEntity)
        _ = XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER)
        tocsin_expat_disable_reparse_deferral(parser)
    }

    // MARK: Name handling

    /// Splits expat's `uri<SEP>local` (or bare `local`) into namespace and local name.
    private static func splitName(_ raw: UnsafePointer<XML_Char>) -> (namespace: String?, name: String) {
        let full = String(cString: raw)
        guard let separator = full.utf8.firstIndex(of: UInt8(namespaceSeparator)) else {
            return (nil, full)
        }
        let namespace = String(full[..<separator])
        let name = String(full[full.utf8.index(after: separator)...])
        return (namespace, name)
    }

    private static func attributes(_ raw: UnsafeMutablePointer<UnsafePointer<XML_Char>?>?) -> [XMLAttribute] {
        guard let raw else { return [] }
        var result: [XMLAttribute] = []
        var index = 0
        while let namePointer = raw[index], let valuePointer = raw[index + 1] {
            let (namespace, name) = splitName(namePointer)
            result.append(XMLAttribute(name, String(cString: valuePointer), namespace: namespace))
            index += 2
        }
        return result
    }
}

/// An element whose end tag has not arrived yet. Text is collected in a growable string and
/// turned into a child only when markup follows, so byte-at-a-time input stays linear.
private struct PartialElement {
    let name: String
    let namespace: String?
    let attributes: [XMLAttribute]
    var children: [XMLNode] = []
    var pendingText = ""

    init(name: String, namespace: String?, attributes: [XMLAttribute]) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
    }

    mutating func flushText() {
        guard !pendingText.isEmpty else { return }
        children.append(.text(pendingText))
        pendingText = ""
    }
}

// MARK: - C callbacks
//
// Plain functions (no captures) so they convert to C function pointers; each one recovers the
// parser state from expat's user data.

private func parserState(_ userData: UnsafeMutableRawPointer?) -> XMPPStreamParserState? {
    guard let userData else { return nil }
    return Unmanaged<XMPPStreamParserState>.fromOpaque(userData).takeUnretainedValue()
}

private func expatStartElement(
    _ userData: UnsafeMutableRawPointer?,
    _ name: UnsafePointer<XML_Char>?,
    _ attributes: UnsafeMutablePointer<UnsafePointer<XML_Char>?>?
) {
    guard let name else { return }
    parserState(userData)?.startElement(name, attributes)
}

private func expatEndElement(_ userData: UnsafeMutableRawPointer?, _ name: UnsafePointer<XML_Char>?) {
    parserState(userData)?.endElement()
}

private func expatCharacterData(_ userData: UnsafeMutableRawPointer?, _ data: UnsafePointer<XML_Char>?, _ length: Int32) {
    guard let data, length > 0 else { return }
    data.withMemoryRebound(to: UInt8.self, capacity: Int(length)) { bytes in
        parserState(userData)?.characterData(UnsafeBufferPointer(start: bytes, count: Int(length)))
    }
}

private func expatComment(_ userData: UnsafeMutableRawPointer?, _ data: UnsafePointer<XML_Char>?) {
    parserState(userData)?.restricted("XML comment")
}

private func expatProcessingInstruction(
    _ userData: UnsafeMutableRawPointer?,
    _ target: UnsafePointer<XML_Char>?,
    _ data: UnsafePointer<XML_Char>?
) {
    let name = target.map { String(cString: $0) } ?? ""
    parserState(userData)?.restricted("processing instruction <?\(name) …?>")
}

private func expatStartDoctype(
    _ userData: UnsafeMutableRawPointer?,
    _ doctypeName: UnsafePointer<XML_Char>?,
    _ systemID: UnsafePointer<XML_Char>?,
    _ publicID: UnsafePointer<XML_Char>?,
    _ hasInternalSubset: Int32
) {
    parserState(userData)?.restricted("document type declaration (DTD)")
}

private func expatEntityDeclaration(
    _ userData: UnsafeMutableRawPointer?,
    _ entityName: UnsafePointer<XML_Char>?,
    _ isParameterEntity: Int32,
    _ value: UnsafePointer<XML_Char>?,
    _ valueLength: Int32,
    _ base: UnsafePointer<XML_Char>?,
    _ systemID: UnsafePointer<XML_Char>?,
    _ publicID: UnsafePointer<XML_Char>?,
    _ notationName: UnsafePointer<XML_Char>?
) {
    parserState(userData)?.restricted("entity declaration")
}

private func expatUnparsedEntityDeclaration(
    _ userData: UnsafeMutableRawPointer?,
    _ entityName: UnsafePointer<XML_Char>?,
    _ base: UnsafePointer<XML_Char>?,
    _ systemID: UnsafePointer<XML_Char>?,
    _ publicID: UnsafePointer<XML_Char>?,
    _ notationName: UnsafePointer<XML_Char>?
) {
    parserState(userData)?.restricted("unparsed entity declaration")
}

private func expatNotationDeclaration(
    _ userData: UnsafeMutableRawPointer?,
    _ notationName: UnsafePointer<XML_Char>?,
    _ base: UnsafePointer<XML_Char>?,
    _ systemID: UnsafePointer<XML_Char>?,
    _ publicID: UnsafePointer<XML_Char>?
) {
    parserState(userData)?.restricted("notation declaration")
}

/// Expat passes the *parser*, not the user data, to this handler; it returns `XML_STATUS_ERROR`
/// so expat itself aborts with an external-entity error, mapped to restricted XML.
private func expatExternalEntityReference(
    _ parser: XML_Parser?,
    _ context: UnsafePointer<XML_Char>?,
    _ base: UnsafePointer<XML_Char>?,
    _ systemID: UnsafePointer<XML_Char>?,
    _ publicID: UnsafePointer<XML_Char>?
) -> Int32 {
    Int32(XML_STATUS_ERROR.rawValue)
}

private func expatSkippedEntity(_ userData: UnsafeMutableRawPointer?, _ entityName: UnsafePointer<XML_Char>?, _ isParameterEntity: Int32) {
    let name = entityName.map { String(cString: $0) } ?? ""
    parserState(userData)?.restricted("reference to undeclared entity &\(name);")
}
