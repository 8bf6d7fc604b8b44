import Foundation
import IRC
import Logging
import TocsinCore
@testable import IRCClient

/// Parses a line written as the server would send it.
func line(_ text: String) -> IRCMessage {
    do {
        return try IRCMessage(parsing: text)
    } catch {
        fatalError("bad test line \(text): \(error)")
    }
}

/// A virtual clock for the state machines.
struct VirtualClock {
    var now = ContinuousClock.now
    mutating func advance(_ duration: Duration) { now = now + duration }
}

func config(
    nick: String = "tocsin",
    alternativeNicks: [String] = [],
    rooms: [IRCClientConfiguration.Room] = [.init(name: "#ops")],
    sasl: IRCClientConfiguration.SASL? = nil,
    nickServPassword: String? = nil,
    invites: InvitePolicy = InvitePolicy(),
    rejoinAfterKick: Duration? = .seconds(30),
    flood: IRCClientConfiguration.FloodControl = .init(burst: 1000, interval: .milliseconds(1)),
    replyAsNotice: Bool = false,
    tls: IRCClientConfiguration.TLSMode = .implicit
) -> IRCClientConfiguration {
    IRCClientConfiguration(
        network: "libera", host: "irc.example.org", tls: tls, nick: nick, alternativeNicks: alternativeNicks,
        username: "tocsin", realname: "Tocsin", sasl: sasl, nickServPassword: nickServPassword, rooms: rooms,
        invites: invites, rejoinAfterKick: rejoinAfterKick, flood: flood, replyAsNotice: replyAsNotice)
}

extension Array where Element == IRCClientStateMachine.Action {
    /// The lines written, as wire text.
    var written: [String] {
        compactMap { if case .write(let message, _) = $0 { message.wireLine } else { nil } }
    }

    var inbound: [InboundMessage] {
        compactMap { if case .inbound(let message) = $0 { message } else { nil } }
    }

    var isReady: Bool { contains(.ready) }

    var logText: String {
        compactMap { if case .log(_, let text) = $0 { text } else { nil } }.joined(separator: "\n")
    }
}

extension Array where Element == IRCRegistrationStateMachine.Output {
    var sent: [String] {
        compactMap { if case .send(let message) = $0 { message.wireLine } else { nil } }
    }
}

/// A client machine taken through registration on a modern server (InspIRCd-like), with its
/// rooms joined.
struct Session {
    var machine: IRCClientStateMachine
    var clock = VirtualClock()

    init(
        _ configuration: IRCClientConfiguration,
        caps: String = "account-notify account-tag extended-join echo-message labeled-response message-tags server-time batch cap-notify invite-notify multi-prefix",
        isupport: String = "CASEMAPPING=rfc1459 CHANTYPES=# PREFIX=(ov)@+ NETWORK=Libera TARGMAX=JOIN:,PRIVMSG:4",
        joinRooms: Bool = true
    ) {
        machine = IRCClientStateMachine(configuration: configuration, now: clock.now)
        _ = machine.connectionEstablished(now: clock.now)
        if caps.isEmpty {
            _ = receive(":irc.example.org 421 * CAP :Unknown command")
        } else {
            let requested = receive(":irc.example.org CAP * LS :\(caps)").written
            if let request = requested.first(where: { $0.hasPrefix("CAP REQ") }) {
                let list = request.dropFirst("CAP REQ ".count).drop { $0 == ":" }
                _ = receive(":irc.example.org CAP \(configuration.nick) ACK :\(list)")
            }
        }
        _ = receive(":irc.example.org 001 \(configuration.nick) :Welcome")
        _ = receive(":irc.example.org 005 \(configuration.nick) \(isupport) :are supported by this server")
        _ = receive(":irc.example.org 376 \(configuration.nick) :End of MOTD")
        if joinRooms {
            for room in configuration.rooms {
                _ = receive(":\(configuration.nick)!~tocsin@bot.example.org JOIN \(room.name)")
            }
        }
    }

    @discardableResult
    mutating func receive(_ text: String) -> [IRCClientStateMachine.Action] {
        machine.receive(line(text), now: clock.now)
    }

    @discardableResult
    mutating func tick(after duration: Duration = .zero) -> [IRCClientStateMachine.Action] {
        clock.advance(duration)
        return machine.tick(now: clock.now)
    }

    mutating func deliver(_ message: OutboxMessage, id: UInt64 = 1) -> [IRCClientStateMachine.Action] {
        machine.deliver(OutboxItem(id: Int64(id), message: message, createdAt: .init()), id: DeliveryID(id), now: clock.now)
    }
}
