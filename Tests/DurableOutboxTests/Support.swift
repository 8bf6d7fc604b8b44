import DurableOutbox
import Foundation
import Synchronization
import TocsinCore

/// A clock tests move by hand.
final class TestClock: Sendable {
    static let epoch = Date(timeIntervalSince1970: 1_750_000_000)
    private let current: Mutex<Date>

    init(_ start: Date = TestClock.epoch) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }
}

/// A directory removed when the test is done with it.
final class TemporaryDirectory: Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tocsin-outbox-tests-\(UUID().uuidString)")
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }
}

let ops = ChatDestination.room("#ops", on: "libera")
let dev = ChatDestination.room("#dev", on: "libera")
let xmppRoom = ChatDestination.room("ops@conference.example.com", on: "jabber")

func message(
    _ text: String, to destination: ChatDestination = ops, priority: DeliveryPriority = .normal, key: String? = nil
) -> OutboxMessage {
    OutboxMessage(destination: destination, text: RichText(plain: text), priority: priority, dedupKey: key)
}

/// The announcement the gateway would store for an event on incident `number`.
func announcement(_ kind: IncidentEventKind, number: Int, to destination: ChatDestination = ops) -> OutboxMessage {
    let incident = Incident(number: number, id: "E\(number)", title: "Disk full", service: "api", urgency: .high,
                            status: .triggered, createdAt: TestClock.epoch, updatedAt: TestClock.epoch)
    let event = IncidentEvent(id: "embedded-\(number)-\(kind.rawValue)", kind: kind, incident: incident, actor: "alice@example.com",
                              detail: kind == .annotated ? "rolled back" : nil, occurredAt: TestClock.epoch)
    return OutboxMessage(destination: destination, text: AnnouncementFormatter().announcement(for: event),
                         priority: DeliveryPriority.announcement(for: incident), dedupKey: "event:\(event.id)")
}

extension Array where Element == OutboxItem {
    var texts: [String] { map(\.message.text.plainText) }
}
