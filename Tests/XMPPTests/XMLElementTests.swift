import Testing
@testable import XMPP

@Suite("XMLElement building, lookup and serialization")
struct XMLElementTests {
    @Test("a child built without a namespace inherits its parent's")
    func childInheritsParentNamespace() {
        let message = XMLElement("message", namespace: "jabber:client", children: [
            .element(XMLElement("body", text: "hi")),
            .element(XMLElement("x", namespace: "jabber:x:conference", children: [.element(XMLElement("inner"))])),
        ])
        #expect(message.firstChild(named: "body")?.namespace == "jabber:client")
        let x = message.firstChild(named: "x")
        #expect(x?.namespace == "jabber:x:conference")
        #expect(x?.firstChild(named: "inner")?.namespace == "jabber:x:conference")
    }

    @Test("inheritance reaches grandchildren built before their parent had a namespace")
    func inheritanceIsRecursive() {
        let inner = XMLElement("a", children: [.element(XMLElement("b", children: [.element(XMLElement("c"))]))])
        let outer = XMLElement("root", namespace: "urn:test", children: [.element(inner)])
        let c = outer.firstChild(named: "a")?.firstChild(named: "b")?.firstChild(named: "c")
        #expect(c?.namespace == "urn:test")
    }

    @Test("a built tree equals the same tree parsed from XML")
    func builtTreeEqualsParsedTree() throws {
        let built = XMLElement("message", namespace: "jabber:client", attributes: ["to": "room@muc.example.com", "type": "groupchat"], children: [
            .element(XMLElement("body", text: "Incident #1 opened")),
        ])
        let parsed = try #require(parseStanza("<message type='groupchat' to='room@muc.example.com'><body>Incident #1 opened</body></message>"))
        #expect(built == parsed)
        #expect(built.hashValue == parsed.hashValue)
    }

    @Test("equality ignores attribute order but not attribute values")
    func equalityIgnoresAttributeOrder() {
        let a = XMLElement("iq", attributes: [XMLAttribute("id", "1"), XMLAttribute("type", "get")])
        let b = XMLElement("iq", attributes: [XMLAttribute("type", "get"), XMLAttribute("id", "1")])
        let c = XMLElement("iq", attributes: [XMLAttribute("type", "set"), XMLAttribute("id", "1")])
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(a != c)
    }

    @Test("adjacent text children are merged and empty ones dropped")
    func adjacentTextIsMerged() {
        let element = XMLElement("body", children: [.text("a"), .text(""), .text("b"), .element(XMLElement("br")), .text("c")])
        #expect(element.children.count == 3)
        #expect(element.text == "abc")
        var built = XMLElement("body")
        built.append(text: "x")
        built.append(text: "y")
        #expect(built.children == [.text("xy")])
    }

    @Test("lookups match by name and, when given, namespace")
    func lookupsMatchNameAndNamespace() {
        let element = XMLElement("message", namespace: "jabber:client", children: [
            .element(XMLElement("x", namespace: "jabber:x:conference", attributes: ["jid": "a@b"])),
            .element(XMLElement("x", namespace: "http://jabber.org/protocol/muc#user")),
            .text("ignored"),
        ])
        #expect(element.children(named: "x").count == 2)
        #expect(element.firstChild(named: "x", namespace: "http://jabber.org/protocol/muc#user") != nil)
        #expect(element.firstChild(named: "x")?[attribute: "jid"] == "a@b")
        #expect(element.firstChild(named: "x", namespace: "urn:other") == nil)
        #expect(element.firstChild(inNamespace: "jabber:x:conference")?.name == "x")
        #expect(element.elementChildren.count == 2)
    }

    @Test("the attribute subscript reads, replaces and removes")
    func attributeSubscriptSetsAndRemoves() {
        var element = XMLElement("presence", attributes: ["to": "a@b"])
        element[attribute: "type"] = "unavailable"
        element[attribute: "to"] = "c@d"
        #expect(element[attribute: "type"] == "unavailable")
        #expect(element[attribute: "to"] == "c@d")
        element[attribute: "to"] = nil
        #expect(element[attribute: "to"] == nil)
        #expect(element.attributes.count == 1)
    }

    @Test("xmlns is written only where the namespace changes")
    func xmlnsOnlyWhereNamespaceChanges() {
        let message = XMLElement("message", namespace: "jabber:client", attributes: ["to": "a@b"], children: [
            .element(XMLElement("body", text: "x")),
            .element(XMLElement("delay", namespace: "urn:xmpp:delay", attributes: ["stamp": "2024-01-01T00:00:00Z"])),
        ])
        #expect(message.serialized(parentNamespace: "jabber:client")
            == "<message to='a@b'><body>x</body><delay xmlns='urn:xmpp:delay' stamp='2024-01-01T00:00:00Z'/></message>")
        #expect(message.serialized().hasPrefix("<message xmlns='jabber:client' to='a@b'>"))
    }

    @Test("an element in no namespace under a namespaced parent undeclares the default")
    func noNamespaceChildUndeclaresDefault() throws {
        var parent = XMLElement("root", namespace: "urn:a")
        parent.children = [.element(XMLElement("child"))]
        #expect(parent.serialized() == "<root xmlns='urn:a'><child xmlns=''/></root>")
        let parsed = try #require(roundTrip(parent))
        #expect(parsed == parent)
    }

    @Test("qualified attributes get declared prefixes and survive a round trip")
    func qualifiedAttributesRoundTrip() throws {
        let element = XMLElement("item", namespace: "urn:test", attributes: [
            XMLAttribute("lang", "de", namespace: "http://www.w3.org/XML/1998/namespace"),
            XMLAttribute("a", "1", namespace: "urn:ext"),
            XMLAttribute("b", "2", namespace: "urn:ext"),
            XMLAttribute("a", "3"),
        ])
        #expect(element[attribute: "xml:lang"] == "de")
        #expect(element[attribute: "a", namespace: "urn:ext"] == "1")
        let serialized = element.serialized()
        #expect(serialized == "<item xmlns='urn:test' xml:lang='de' xmlns:ns1='urn:ext' ns1:a='1' ns1:b='2' a='3'/>")
        #expect(roundTrip(element) == element)
    }

    @Test("literal xmlns attributes and duplicates are not written twice")
    func literalNamespaceDeclarationsAreIgnored() throws {
        let element = XMLElement("x", namespace: "urn:a", attributes: [
            XMLAttribute("xmlns", "urn:b"), XMLAttribute("xmlns:p", "urn:c"), XMLAttribute("id", "1"), XMLAttribute("id", "2"),
        ])
        #expect(element.serialized() == "<x xmlns='urn:a' id='1'/>")
    }

    @Test("an empty element is self-closed and text makes it open")
    func emptyElementsSelfClose() {
        #expect(XMLElement("r", namespace: "urn:xmpp:sm:3").serialized() == "<r xmlns='urn:xmpp:sm:3'/>")
        #expect(XMLElement("body", text: "").serialized() == "<body/>")
        #expect(XMLElement("body", text: " ").serialized() == "<body> </body>")
    }

    @Test("description is the fully declared XML")
    func descriptionIsSerializedXML() {
        #expect(XMLElement("ping", namespace: "urn:xmpp:ping").description == "<ping xmlns='urn:xmpp:ping'/>")
    }

    @Test("XMLNode exposes its element or text")
    func nodeAccessors() {
        #expect(XMLNode.text("a").text == "a")
        #expect(XMLNode.text("a").element == nil)
        #expect(XMLNode.element(XMLElement("b")).element?.name == "b")
    }
}

@Suite("XMLElement serialization of unusual namespaces")
struct XMLElementNamespaceEdgeTests {
    @Test("an element in the XML namespace keeps the xml prefix and the surrounding default")
    func xmlNamespaceElementUsesPrefix() throws {
        let parsed = try stanzaElement("<message><xml:y from='a'><inner/></xml:y></message>")
        let y = try #require(parsed.firstChild(named: "y"))
        #expect(y.namespace == "http://www.w3.org/XML/1998/namespace")
        #expect(y.firstChild(named: "inner")?.namespace == XMPPNamespace.client)
        #expect(parsed.serialized(parentNamespace: XMPPNamespace.client) == "<message><xml:y from='a'><inner/></xml:y></message>")
        #expect(roundTrip(parsed) == parsed)
    }

    @Test("an element without namespace at top level of a client stream declares xmlns=''")
    func topLevelWithoutNamespace() throws {
        let element = try stanzaElement("<foo xmlns=''><bar/></foo>")
        #expect(element.namespace == nil)
        #expect(element.serialized(parentNamespace: XMPPNamespace.client) == "<foo xmlns=''><bar/></foo>")
        #expect(roundTrip(element) == element)
    }
}
