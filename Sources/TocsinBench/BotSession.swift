import IRC
import IRCClient
import Synchronization
import TocsinCore

/// The gateway's IRC session state, registered on an InspIRCd-like server and sitting in `#ops`,
/// driven without a socket: the same ``IRCClientStateMachine`` the connection owns, fed server
/// lines and outbox items, on a virtual timeline so flood control and timers behave as at the
/// paced rate of the end-to-end benchmark.
final class BotSession: Sendable {
    static let network = "bench"
    static let room = "#ops"
    static let selfSource = "tocsin!~tocsin@bot.localhost"

    private struct State {
        var machine: IRCClientStateMachine
        var now: ContinuousClock.Instant
    }
    private let state: Mutex<State>

    /// - Parameter flood: the gateway's configured pacing (the bench's relaxed InspIRCd class).
    init(flood: IRCClientConfiguration.FloodControl = .init(burst: 20, interval: .milliseconds(100))) {
        let configuration = IRCClientConfiguration(
            network: Self.network, host: "127.0.0.1", nick: "tocsin", username: "tocsin", realname: "Tocsin",
            rooms: [.init(name: Self.room)], flood: flood)
        var now = ContinuousClock.now
        var machine = IRCClientStateMachine(configuration: configuration, now: now)
        func receive(_ text: String) -> [IRCClientStateMachine.Action] {
            now = now + .milliseconds(5)
            return machine.receive(try! IRCMessage(parsing: text), now: now)
        }
        _ = machine.connectionEstablished(now: now)
        // What InspIRCd 3 offers (see shared/reference/servers.md), minus sasl: no services needed here.
        let offered = "account-notify account-tag away-notify batch cap-notify echo-message extended-join "
            + "invite-notify labeled-response message-tags server-time"
        for action in receive(":irc.localhost CAP * LS :\(offered)") {
            if case .write(let message, _) = action, message.command == "CAP", message.parameters.first == "REQ" {
                _ = receive(":irc.localhost CAP tocsin ACK :\(message.parameters.last ?? "")")
            }
        }
        _ = receive(":irc.localhost 001 tocsin :Welcome to the TocsinIT IRC Network tocsin")
        _ = receive(":irc.localhost 005 tocsin CASEMAPPING=rfc1459 CHANLIMIT=#:20 CHANTYPES=# LINELEN=512 MAXTARGETS=20 NICKLEN=30 PREFIX=(ov)@+ NETWORK=TocsinIT :are supported by this server")
        _ = receive(":irc.localhost 376 tocsin :End of message of the day.")
        _ = receive(":\(Self.selfSource) JOIN \(Self.room) * :Tocsin")
        _ = receive(":irc.localhost 353 tocsin = \(Self.room) :@tocsin alice bob")
        _ = receive(":irc.localhost 366 tocsin \(Self.room) :End of /NAMES list.")
        precondition(machine.isRegistered, "the benchmark session did not register")
        state = Mutex(State(machine: machine, now: now))
    }

    /// Moves the virtual clock (the gap between two commands of a paced client).
    func advance(_ duration: Duration) {
        state.withLock { $0.now = $0.now + duration }
    }

    /// A line from the server: the chat message it carries, if any.
    func receive(_ message: IRCMessage) -> InboundMessage? {
        state.withLock { state in
            for case .inbound(let inbound) in state.machine.receive(message, now: state.now) { return inbound }
            return nil
        }
    }

    /// Renders an outbox item and returns the wire bytes written (CRLF-terminated lines), with the
    /// delivery id that the echo will confirm.
    func deliver(_ item: OutboxItem) -> [UInt8] {
        state.withLock { state in
            var wire: [UInt8] = []
            for case .write(let message, _) in state.machine.deliver(item, id: DeliveryID(UInt64(item.id)), now: state.now) {
                wire.append(contentsOf: message.serialized())
                wire.append(contentsOf: [13, 10])
            }
            return wire
        }
    }

    /// After the write: completes it and feeds the server's echo (echo-message, labeled-response),
    /// so the session's pending deliveries do not pile up. True when the delivery was confirmed.
    func confirm(_ id: Int64, wire: [UInt8]) -> Bool {
        state.withLock { state in
            _ = state.machine.writeCompleted(DeliveryID(UInt64(id)), success: true, now: state.now)
            guard let line = wire.split(separator: 10).last,
                  var written = try? IRCMessage(parsing: line.last == 13 ? line.dropLast() : line) else { return false }
            written.source = IRCSource(raw: Self.selfSource)
            return state.machine.receive(written, now: state.now).contains(.confirmDelivery(DeliveryID(UInt64(id))))
        }
    }
}
