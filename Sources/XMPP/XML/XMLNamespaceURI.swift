/// Namespace URIs fixed by the XML and XML Namespaces recommendations.
enum XMLNamespaceURI {
    /// Bound to the `xml` prefix in every document (Namespaces in XML 1.0 §3).
    static let xml = "http://www.w3.org/XML/1998/namespace"
    /// The namespace of `xmlns` declarations themselves; never an element's or attribute's.
    static let xmlns = "http://www.w3.org/2000/xmlns/"
}
