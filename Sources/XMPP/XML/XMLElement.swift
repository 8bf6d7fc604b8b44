/// An XML element with its namespace resolved: the unit every XMPP stanza is made of.
///
/// XMPP streams are namespace-aware (RFC 6120 §4.8), and what a receiver acts on is the pair
/// (namespace URI, local name), never a prefix. So this value stores the resolved ``namespace``
/// and lets ``serialized(parentNamespace:)`` decide how to declare it.
///
/// Building trees by hand: a child created without a namespace **inherits its parent's** when
/// it is passed to an initializer or ``append(_:)`` — exactly what the same child would mean
/// written inside its parent in XML. So
/// `XMLElement("message", namespace: "jabber:client", children: [.element(XMLElement("body", text: "hi"))])`
/// equals the parsed `<message xmlns='jabber:client'><body>hi</body></message>`.
/// Adjacent text children are merged and empty ones dropped for the same reason: a parser could
/// not tell them apart. Assigning ``children`` directly skips both rules and is taken literally.
///
/// Equality and hashing ignore attribute order (XML 1.0 §3.1).
public struct XMLElement: Sendable {
    /// The local name, without any prefix (`message`, `body`, `features`).
    public var name: String
    /// The resolved namespace URI (`jabber:client`), or `nil` for an element in no namespace.
    public var namespace: String?
    /// The attributes in document order.
    public var attributes: [XMLAttribute]
    /// Child elements and text, in document order.
    public var children: [XMLNode]

    /// Creates an element whose attributes come from a dictionary; they are sorted by name so the
    /// serialized form is deterministic.
    public init(
        _ name: String,
        namespace: String? = nil,
        attributes: [String: String] = [:],
        children: [XMLNode] = []
    ) {
        self.init(
            name,
            namespace: namespace,
            attributes: attributes.sorted { $0.key < $1.key }.map { XMLAttribute($0.key, $0.value) },
            children: children
        )
    }

    /// Creates an element with attributes in the given order.
    public init(
        _ name: String,
        namespace: String? = nil,
        attributes: [XMLAttribute],
        children: [XMLNode] = []
    ) {
        self.name = name
        self.namespace = namespace.flatMap { $0.isEmpty ? nil : $0 }
        self.attributes = attributes
        self.children = []
        for child in children { appendNode(child) }
    }

    /// Creates a leaf element holding only text, such as `<body>` or `<status>`.
    public init(_ name: String, namespace: String? = nil, attributes: [String: String] = [:], text: String) {
        self.init(name, namespace: namespace, attributes: attributes, children: [.text(text)])
    }

    /// The parser's initializer: takes children literally (they are already namespace-resolved
    /// and merged), so a child genuinely in no namespace stays that way.
    init(parsedName name: String, namespace: String?, attributes: [XMLAttribute], children: [XMLNode]) {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
    }

    /// Appends a child element; if it has no namespace it inherits this element's.
    public mutating func append(_ child: XMLElement) {
        appendNode(.element(child))
    }

    /// Appends text, merging it with a preceding text child.
    public mutating func append(text: String) {
        appendNode(.text(text))
    }

    private mutating func appendNode(_ node: XMLNode) {
        switch node {
        case .text(let text):
            guard !text.isEmpty else { return }
            if case .text(let previous)? = children.last {
                children[children.count - 1] = .text(previous + text)
            } else {
                children.append(.text(text))
            }
        case .element(var element):
            if element.namespace == nil, let namespace {
                element.inheritNamespace(namespace)
            }
            children.append(.element(element))
        }
    }

    /// Gives this element and every descendant that has no namespace of its own the given one.
    private mutating func inheritNamespace(_ inherited: String) {
        guard namespace == nil else { return }
        namespace = inherited
        for index in children.indices {
            if case .element(var child) = children[index], child.namespace == nil {
                child.inheritNamespace(inherited)
                children[index] = .element(child)
            }
        }
    }
}

extension XMLElement: Hashable {
    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        guard lhs.name == rhs.name, lhs.namespace == rhs.namespace,
              lhs.attributes.count == rhs.attributes.count,
              lhs.children == rhs.children
        else { return false }
        return lhs.attributes == rhs.attributes || lhs.attributes.sorted() == rhs.attributes.sorted()
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(namespace)
        hasher.combine(attributes.sorted())
        hasher.combine(children)
    }
}

extension XMLElement: CustomStringConvertible {
    /// The serialized XML, with every namespace declared.
    public var description: String { serialized() }
}
