/// How Tocsin talks to PagerDuty's REST API v2 and which of the account's objects chat may name.
///
/// Chat users say service, schedule and escalation-policy *names* (`!trigger api …`, `!oncall primary`);
/// PagerDuty wants ids. The maps here are the only names Tocsin accepts, so a typo never pages the
/// wrong service.
public struct PagerDutyConfiguration: Sendable {
    /// A REST API key (account or user level). Sent as `Authorization: Token token=…`; never logged.
    public var apiToken: String
    /// `https://api.pagerduty.com`, `https://api.eu.pagerduty.com`, or a simulator.
    public var baseURL: String
    /// Service name → PagerDuty service id, for `!trigger` and for naming incidents' services.
    public var services: [String: String]
    /// Schedule name → schedule id, for `!oncall NAME`.
    public var schedules: [String: String]
    /// Escalation-policy name → escalation policy id, for `!oncall NAME`.
    public var escalationPolicies: [String: String]
    /// Time allowed for one HTTP exchange.
    public var requestTimeout: Duration
    /// Extra attempts after a rate-limited, failed or unanswered request.
    public var maxRetries: Int
    /// Consecutive failed exchanges (5xx, timeouts, connection errors) that open the circuit.
    public var circuitBreakerThreshold: Int
    /// How long an open circuit fails calls fast before letting one probe through.
    public var circuitBreakerCoolDown: Duration
    /// Longest server-requested wait (`Retry-After`, `ratelimit-reset`) Tocsin sits through; a
    /// longer one fails the command at once with the time the limit resets.
    public var maxRetryWait: Duration
    /// How long one call may spend on retries: no retry starts that would end later than this after
    /// the call began, so a chat command is answered in bounded time even when every attempt times
    /// out.
    public var retryBudget: Duration

    public init(
        apiToken: String, baseURL: String = "https://api.pagerduty.com", services: [String: String],
        schedules: [String: String], escalationPolicies: [String: String], requestTimeout: Duration = .seconds(15),
        maxRetries: Int = 3
    ) {
        self.apiToken = apiToken
        self.baseURL = baseURL
        self.services = services
        self.schedules = schedules
        self.escalationPolicies = escalationPolicies
        self.requestTimeout = requestTimeout
        self.maxRetries = max(0, maxRetries)
        circuitBreakerThreshold = 5
        circuitBreakerCoolDown = .seconds(30)
        maxRetryWait = .seconds(30)
        retryBudget = .seconds(30)
    }

    /// The base URL without a trailing slash, so paths can be appended.
    var normalizedBaseURL: String {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }
}
