import Foundation
import GRDB
import TocsinCore

/// One row of `outbox_messages`. The conversation is split into kind and name; the text is
/// ``RichText`` in ``CompactRichText`` form (JSON in rows written before), so styling survives a
/// restart; dates are seconds since 1970 (`Double`), never formatted.
struct OutboxRow: Sendable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "outbox_messages"

    enum Columns {
        static let id = Column("id")
        static let network = Column("network")
        static let priority = Column("priority")
        static let createdAt = Column("createdAt")
        static let deliveredAt = Column("deliveredAt")
        static let attempts = Column("attempts")
    }

    var id: Int64?
    var network: String
    var conversationKind: String
    var conversation: String
    var text: String
    var priority: Int
    var inReplyTo: String?
    var dedupKey: String?
    var createdAt: Date
    var attempts: Int
    var deliveredAt: Date?

    init(_ message: OutboxMessage, createdAt: Date) {
        network = message.destination.network
        switch message.destination.conversation {
        case .room(let name): (conversationKind, conversation) = ("room", name)
        case .direct(let peer): (conversationKind, conversation) = ("direct", peer)
        }
        text = Self.encodedText(message.text)
        priority = message.priority.rawValue
        inReplyTo = message.inReplyTo
        dedupKey = message.dedupKey
        self.createdAt = createdAt
        attempts = 0
    }

    init(row: Row) {
        id = row["id"]
        network = row["network"]
        conversationKind = row["conversationKind"]
        conversation = row["conversation"]
        text = row["text"]
        priority = row["priority"]
        inReplyTo = row["inReplyTo"]
        dedupKey = row["dedupKey"]
        createdAt = Date(timeIntervalSince1970: row["createdAt"])
        attempts = row["attempts"]
        deliveredAt = (row["deliveredAt"] as Double?).map(Date.init(timeIntervalSince1970:))
    }

    func encode(to container: inout PersistenceContainer) {
        container["id"] = id
        container["network"] = network
        container["conversationKind"] = conversationKind
        container["conversation"] = conversation
        container["text"] = text
        container["priority"] = priority
        container["inReplyTo"] = inReplyTo
        container["dedupKey"] = dedupKey
        container["createdAt"] = createdAt.timeIntervalSince1970
        container["attempts"] = attempts
        container["deliveredAt"] = deliveredAt?.timeIntervalSince1970
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    var destination: ChatDestination {
        ChatDestination(network: network, conversation: conversationKind == "direct" ? .direct(conversation) : .room(conversation))
    }

    /// The stored item. Text that no longer decodes (a hand-edited row) is replaced by a notice
    /// rather than failing the whole batch, so one bad row cannot block a network's delivery.
    func item() -> (item: OutboxItem, decodingError: (any Error)?) {
        var decodingError: (any Error)?
        let richText: RichText
        if let compact = CompactRichText.decode(text) {
            richText = compact
        } else {
            do {
                richText = try Self.decoder.decode(RichText.self, from: Data(text.utf8))
            } catch {
                decodingError = error
                richText = RichText(plain: "(stored message \(id ?? 0) could not be read)")
            }
        }
        let message = OutboxMessage(destination: destination, text: richText, priority: DeliveryPriority(rawValue: priority) ?? .normal,
                                    inReplyTo: inReplyTo, dedupKey: dedupKey)
        return (OutboxItem(id: id ?? 0, message: message, createdAt: createdAt, attempts: attempts), decodingError)
    }

    /// The `text` column's form of a message.
    static func encodedText(_ text: RichText) -> String {
        CompactRichText.encode(text)
    }

    private static var decoder: JSONDecoder { JSONDecoder() }
}
