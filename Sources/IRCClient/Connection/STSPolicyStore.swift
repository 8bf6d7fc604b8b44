#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where IRCv3 `sts` policies are remembered across restarts
/// (https://ircv3.net/specs/extensions/sts, "Policy storage": a client must keep a policy for its
/// duration and apply it before connecting, or an attacker who strips TLS from the first
/// connection after a restart wins).
///
/// The gateway stores them in its SQLite database (`TocsinStorage.STSPolicyTable`); tests use an
/// in-memory store. Host names are given lowercased.
public protocol STSPolicyStore: Sendable {
    /// The TLS port of the policy for `host` that is still valid at `now`, or nil.
    func stsPort(host: String, now: Date) async throws -> Int?
    /// Remembers (or refreshes) the policy for `host` until `expires`.
    func saveSTSPolicy(host: String, port: Int, expires: Date) async throws
    /// Forgets the policy for `host` (the server sent `duration=0`).
    func removeSTSPolicy(host: String) async throws
}
