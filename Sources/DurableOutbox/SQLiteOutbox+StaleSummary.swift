import Foundation
import GRDB
import TocsinCore

extension SQLiteOutbox {
    /// Replaces messages that waited too long with one summary per conversation.
    ///
    /// After an outage a room should not receive hours of stale announcements one by one, nor lose
    /// them silently. Every undelivered message created more than `age` seconds before `now` is marked
    /// delivered-as-summarised (it keeps its row and dedup key, with `summarizedInto` pointing at the
    /// summary), and each conversation that had some gets one message with priority ``DeliveryPriority/high``:
    ///
    ///     5 announcements from the last 3h20m could not be delivered in time: #12 triggered, #13 resolved, …
    ///
    /// The list is bounded (``StaleSummary/maximumListLength``) and ends with "and N more" when cut.
    /// All of it happens in one transaction. The gateway calls this at startup, before the delivery
    /// loops start.
    ///
    /// - Returns: the summaries stored, one per conversation, in order of their oldest message.
    @discardableResult
    public func summarizeStale(olderThan age: TimeInterval, now: Date) async throws -> [OutboxItem] {
        let cutoff = now.addingTimeInterval(-age)
        let summaries = try await database.write { db -> [OutboxItem] in
            let stale = try OutboxRow
                .filter(OutboxRow.Columns.deliveredAt == nil && OutboxRow.Columns.createdAt < cutoff.timeIntervalSince1970)
                .order(OutboxRow.Columns.id)
                .fetchAll(db)
            var order: [ChatDestination] = []
            var groups: [ChatDestination: [OutboxRow]] = [:]
            for row in stale {
                if groups[row.destination] == nil { order.append(row.destination) }
                groups[row.destination, default: []].append(row)
            }
            var stored: [OutboxItem] = []
            for destination in order {
                let rows = groups[destination] ?? []
                let items = rows.map { $0.item().item }
                let message = OutboxMessage(
                    destination: destination, text: StaleSummary.text(for: items, now: now), priority: .high,
                    dedupKey: "stale-summary:\(items.last?.id ?? 0)")
                var summary = OutboxRow(message, createdAt: now)
                try summary.insert(db, onConflict: .ignore)
                guard db.changesCount > 0 else { continue }
                let summaryID = db.lastInsertedRowID
                try OutboxRow
                    .filter(keys: rows.compactMap(\.id))
                    .updateAll(db, OutboxRow.Columns.deliveredAt.set(to: now.timeIntervalSince1970), Column("summarizedInto").set(to: summaryID))
                stored.append(OutboxItem(id: summaryID, message: message, createdAt: now))
            }
            return stored
        }
        for summary in summaries {
            logger.notice("stale messages summarised", metadata: [
                "destination": "\(summary.message.destination)", "summary": "\(summary.id)",
            ])
        }
        return summaries
    }
}

/// The wording of a stale-messages summary.
enum StaleSummary {
    /// Characters of "#12 triggered, …" at most, so the summary stays one chat line.
    static let maximumListLength = 300
    static let maximumListedMessages = 20

    static func text(for items: [OutboxItem], now: Date) -> RichText {
        let count = items.count
        let noun = items.allSatisfy { !$0.message.priority.isReply } ? "announcement" : "message"
        let oldest = items.map(\.createdAt).min() ?? now
        let head = "\(count) \(noun)\(count == 1 ? "" : "s") from the last \(span(now.timeIntervalSince(oldest))) could not be delivered in time: "
        var listed: [String] = []
        var length = 0
        for item in items.prefix(maximumListedMessages) {
            let label = label(for: item.message.text)
            let added = label.count + (listed.isEmpty ? 0 : 2)
            guard length + added <= maximumListLength else { break }
            listed.append(label)
            length += added
        }
        var list = listed.joined(separator: ", ")
        if listed.count < count { list += ", and \(count - listed.count) more" }
        return RichText([.tone(.warning, head), .plain(list)])
    }

    /// `#12 triggered` for an announcement written by ``AnnouncementFormatter`` (a `[KIND]` tone span
    /// and a bold `#N`); otherwise the start of the message's first line.
    static func label(for text: RichText) -> String {
        let first = text.lines.first ?? []
        let number = first.lazy.compactMap { span -> String? in
            if case .bold(let text) = span, text.hasPrefix("#") { text } else { nil }
        }.first
        let kind = first.lazy.compactMap { span -> String? in
            if case .tone(_, let text) = span, text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 {
                text.dropFirst().dropLast().lowercased()
            } else {
                nil
            }
        }.first
        if let number, let kind { return "\(number) \(kind)" }
        return clipped(first.map(\.text).joined().trimmingCharacters(in: .whitespaces), to: 40)
    }

    /// At most `limit` characters and an ellipsis, cut at a word boundary when one is near.
    static func clipped(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var cut = text.prefix(limit)
        if text[cut.endIndex] != " ", let space = cut.lastIndex(of: " "), cut.distance(from: cut.startIndex, to: space) >= limit / 2 {
            cut = cut[..<space]
        }
        return cut.trimmingCharacters(in: .whitespaces) + "…"
    }

    /// `45m`, `3h20m`, `2d4h`: coarse on purpose, this is a rough "how long were we away".
    static func span(_ interval: TimeInterval) -> String {
        let minutes = max(1, Int((interval / 60).rounded()))
        switch minutes {
        case ..<60: return "\(minutes)m"
        case ..<(24 * 60): return minutes % 60 == 0 ? "\(minutes / 60)h" : "\(minutes / 60)h\(minutes % 60)m"
        default:
            let hours = minutes / 60
            return hours % 24 == 0 ? "\(hours / 24)d" : "\(hours / 24)d\(hours % 24)h"
        }
    }
}
