import Foundation
import TocsinCore

/// `gateway.pages`: `{link_minutes: 10, session_hours: 12}` — how long a one-time sign-in link
/// (`!web`, `tocsin login-link`) works, and how long a browser stays signed in.
public struct WebPagesSettings: Codable, Sendable, Hashable {
    public var linkMinutes: Int?
    public var sessionHours: Int?

    enum CodingKeys: String, CodingKey {
        case linkMinutes = "link_minutes"
        case sessionHours = "session_hours"
    }
}

/// `gateway.recording`: `{default: mentions, after_resolve_minutes: 30, retention_days: 90}` —
/// the mode of rooms that do not say `record:` (rooms joined on invitation), how long after an
/// incident resolved its rooms are still recorded, and how long recorded lines are kept.
public struct RecordingSettings: Codable, Sendable, Hashable {
    public var `default`: RecordMode?
    public var afterResolveMinutes: Int?
    public var retentionDays: Int?

    enum CodingKeys: String, CodingKey {
        case `default`
        case afterResolveMinutes = "after_resolve_minutes"
        case retentionDays = "retention_days"
    }
}

extension TocsinConfiguration {
    /// Per room `record:` and `gateway.recording`, with the defaults (mentions, 30 minutes, 90 days).
    public var recordingRules: RecordingRules {
        var modes: [ChatDestination: RecordMode] = [:]
        for network in irc ?? [] {
            for room in network.rooms ?? [] { modes[.room(room.name, on: network.name)] = room.record ?? gateway.recording?.default ?? .standard }
        }
        for network in xmpp ?? [] {
            for room in network.rooms ?? [] { modes[.room(room.jid, on: network.name)] = room.record ?? gateway.recording?.default ?? .standard }
        }
        let settings = gateway.recording
        return RecordingRules(
            modes: modes, defaultMode: settings?.default ?? .standard,
            afterResolve: settings?.afterResolveMinutes.map { TimeInterval($0 * 60) } ?? RecordingRules.defaultAfterResolve,
            retention: settings?.retentionDays.map { TimeInterval($0 * 86400) } ?? RecordingRules.defaultRetention)
    }

    /// Seconds a sign-in link works (`gateway.pages.link_minutes`, 10).
    public var signInLinkLifetime: TimeInterval { TimeInterval((gateway.pages?.linkMinutes ?? 10) * 60) }
    /// Seconds a browser session lasts (`gateway.pages.session_hours`, 12).
    public var webSessionLifetime: TimeInterval { TimeInterval((gateway.pages?.sessionHours ?? 12) * 3600) }

    /// Range checks of `gateway.pages`, `gateway.recording` and `public_url`.
    func pagesProblems() -> [ConfigurationProblem] {
        var problems: [ConfigurationProblem] = []
        if let url = gateway.publicURL {
            let lowered = url.lowercased()
            if !(lowered.hasPrefix("http://") || lowered.hasPrefix("https://")) || url.contains(where: \.isWhitespace) {
                problems.append(.init(path: "gateway.public_url", message: "expected an http:// or https:// address, got \"\(url)\""))
            }
        }
        if let minutes = gateway.pages?.linkMinutes, !(1...60).contains(minutes) {
            problems.append(.init(path: "gateway.pages.link_minutes", message: "expected 1–60 minutes (a sign-in link should not live long), got \(minutes)"))
        }
        if let hours = gateway.pages?.sessionHours, !(1...720).contains(hours) {
            problems.append(.init(path: "gateway.pages.session_hours", message: "expected 1–720 hours, got \(hours)"))
        }
        if let minutes = gateway.recording?.afterResolveMinutes, !(0...10080).contains(minutes) {
            problems.append(.init(path: "gateway.recording.after_resolve_minutes", message: "expected 0–10080 minutes, got \(minutes)"))
        }
        if let days = gateway.recording?.retentionDays, !(1...3650).contains(days) {
            problems.append(.init(path: "gateway.recording.retention_days", message: "expected 1–3650 days, got \(days)"))
        }
        return problems
    }
}
