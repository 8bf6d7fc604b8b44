import Foundation

/// Request bodies, shaped as the REST API v2 reference shows them. Encoded with sorted keys so the
/// bytes are stable for tests and logs of the simulator.
enum RequestBody {
    /// `PUT /incidents`: `{"incidents": [{"id", "type": "incident_reference", "status"}]}`.
    /// At most 250 incidents per request (413 above that).
    struct BulkStatusUpdate: Encodable, Sendable {
        var incidents: [Entry]

        struct Entry: Encodable, Sendable {
            var id: String
            var type = "incident_reference"
            var status: String
        }
    }

    /// `PUT /incidents/{id}`: `{"incident": {"type": "incident_reference", …}}` with the fields to change.
    struct IncidentUpdate: Encodable, Sendable {
        var incident: Fields

        struct Fields: Encodable, Sendable {
            var type = "incident_reference"
            var assignments: [Assignment]?
            var escalationLevel: Int?

            enum CodingKeys: String, CodingKey {
                case type, assignments
                case escalationLevel = "escalation_level"
            }
        }

        struct Assignment: Encodable, Sendable {
            var assignee: Reference
        }
    }

    /// `POST /incidents`: `{"incident": {"type": "incident", "title", "service": {"id", "type":
    /// "service_reference"}, "incident_key"}}`. Urgency is left to the service's urgency rules.
    /// `incident_key` is Tocsin's own, unique per command: after a lost answer Tocsin finds the
    /// incident by it (`GET /incidents?incident_key=`), and PagerDuty refuses a second open
    /// incident with the same key on the service, so a repeat cannot page twice.
    struct IncidentCreate: Encodable, Sendable {
        var incident: Fields

        struct Fields: Encodable, Sendable {
            var type = "incident"
            var title: String
            var service: Reference
            var incidentKey: String?

            enum CodingKeys: String, CodingKey {
                case type, title, service
                case incidentKey = "incident_key"
            }
        }
    }

    /// `POST /incidents/{id}/notes`: `{"note": {"content"}}`.
    struct NoteCreate: Encodable, Sendable {
        var note: Content

        struct Content: Encodable, Sendable {
            var content: String
        }
    }

    /// `POST /incidents/{id}/snooze`: `{"duration": <seconds>}`.
    struct Snooze: Encodable, Sendable {
        var duration: Int
    }

    struct Reference: Encodable, Sendable {
        var id: String
        var type: String
    }

    static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain structs cannot fail.
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }
}
