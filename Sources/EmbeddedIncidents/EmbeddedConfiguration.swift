import Foundation
import TocsinCore

/// A service incidents are opened on (`!trigger api …`, or an Events API v2 event routed to it).
/// Names compare case-insensitively; the configured spelling is what incidents show.
public struct EmbeddedService: Sendable, Hashable {
    public var name: String
    /// Copied onto each incident so routes can filter by team.
    public var team: String?

    public init(name: String, team: String? = nil) {
        self.name = name
        self.team = team
    }
}

/// Someone incidents can be assigned to. `!reassign 12 bob` finds a user by email or by
/// case-insensitive name; incidents store the email.
public struct EmbeddedUser: Sendable, Hashable {
    public var name: String
    public var email: String

    public init(name: String, email: String) {
        self.name = name
        self.email = email
    }
}

/// A simple rotation: each level's users take turns in shifts of `shiftSeconds`, the first shift
/// starting at `start`.
///
/// `levels[0]` is escalation level 1 (PagerDuty numbers escalation levels from 1), `levels[1]` is
/// level 2, and so on; every level rotates on its own. A schedule named like a service (compared
/// case-insensitively) decides who is assigned when an incident on that service is opened or escalated.
public struct EmbeddedOnCallSchedule: Sendable, Hashable {
    public var name: String
    /// Emails of the users of each level, in rotation order.
    public var levels: [[String]]
    public var shiftSeconds: Int
    public var start: Date

    public init(name: String, levels: [[String]], shiftSeconds: Int, start: Date) {
        self.name = name
        self.levels = levels
        self.shiftSeconds = shiftSeconds
        self.start = start
    }

    /// The shift covering `date` at an escalation level (1-based): who holds it and when it ends.
    /// Dates before `start` continue the rotation backwards, so the answer is defined at any time.
    func shift(level: Int, at date: Date) -> (email: String, until: Date)? {
        guard levels.indices.contains(level - 1), shiftSeconds > 0 else { return nil }
        let users = levels[level - 1]
        guard !users.isEmpty else { return nil }
        let elapsed = date.timeIntervalSince(start)
        let shiftIndex = Int((elapsed / Double(shiftSeconds)).rounded(.down))
        let userIndex = ((shiftIndex % users.count) + users.count) % users.count
        let until = start.addingTimeInterval(Double(shiftIndex + 1) * Double(shiftSeconds))
        return (users[userIndex], until)
    }
}

/// A configuration the embedded store cannot work with; the message says what to fix.
public enum EmbeddedConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    case duplicateService(String)
    case duplicateUser(String)
    case duplicateSchedule(String)
    case invalidSchedule(name: String, reason: String)

    public var description: String {
        switch self {
        case .duplicateService(let name): "service \"\(name)\" is configured twice (names compare case-insensitively)"
        case .duplicateUser(let email): "user \(email) is configured twice"
        case .duplicateSchedule(let name): "schedule \"\(name)\" is configured twice (names compare case-insensitively)"
        case .invalidSchedule(let name, let reason): "schedule \"\(name)\": \(reason)"
        }
    }
}

/// The configured services, users and schedules, indexed for case-insensitive lookup.
struct EmbeddedDirectory: Sendable {
    let services: [String: EmbeddedService]
    let usersByEmail: [String: EmbeddedUser]
    let users: [EmbeddedUser]
    let schedules: [EmbeddedOnCallSchedule]

    init(services: [EmbeddedService], users: [EmbeddedUser], schedules: [EmbeddedOnCallSchedule]) throws {
        var serviceIndex: [String: EmbeddedService] = [:]
        for service in services {
            guard serviceIndex.updateValue(service, forKey: service.name.lowercased()) == nil else {
                throw EmbeddedConfigurationError.duplicateService(service.name)
            }
        }
        var userIndex: [String: EmbeddedUser] = [:]
        for user in users {
            guard userIndex.updateValue(user, forKey: user.email.lowercased()) == nil else {
                throw EmbeddedConfigurationError.duplicateUser(user.email)
            }
        }
        var scheduleNames = Set<String>()
        for schedule in schedules {
            guard scheduleNames.insert(schedule.name.lowercased()).inserted else {
                throw EmbeddedConfigurationError.duplicateSchedule(schedule.name)
            }
            guard schedule.shiftSeconds > 0 else {
                throw EmbeddedConfigurationError.invalidSchedule(name: schedule.name, reason: "shiftSeconds must be positive")
            }
            guard !schedule.levels.isEmpty else {
                throw EmbeddedConfigurationError.invalidSchedule(name: schedule.name, reason: "needs at least one level")
            }
            if let empty = schedule.levels.firstIndex(where: \.isEmpty) {
                throw EmbeddedConfigurationError.invalidSchedule(name: schedule.name, reason: "level \(empty + 1) has no users")
            }
        }
        self.services = serviceIndex
        self.usersByEmail = userIndex
        self.users = users
        self.schedules = schedules
    }

    func service(named name: String) -> EmbeddedService? {
        services[name.lowercased()]
    }

    /// The schedule that staffs a service: the one with the service's name.
    func schedule(forService service: String) -> EmbeddedOnCallSchedule? {
        schedules.first { $0.name.lowercased() == service.lowercased() }
    }

    /// A user by email, or by name when exactly one user has it (both case-insensitive).
    func user(matching text: String) throws -> EmbeddedUser {
        let key = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let user = usersByEmail[key] { return user }
        let named = users.filter { $0.name.lowercased() == key }
        switch named.count {
        case 1: return named[0]
        case 0: throw IncidentServiceError.unknownUser(text)
        default: throw IncidentServiceError.invalidArgument("\"\(text)\" matches \(named.count) users; use the email")
        }
    }

    func displayName(ofEmail email: String) -> String {
        usersByEmail[email.lowercased()]?.name ?? email
    }
}
