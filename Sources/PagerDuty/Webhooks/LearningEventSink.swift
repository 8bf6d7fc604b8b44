import TocsinCore

/// Passes incident events on, letting the PagerDuty backend learn each incident's number, id and
/// status on the way (``PagerDutyService/learn(_:)``): the incidents people `!ack` are the ones
/// just announced, and with their id known the `!ack` is one `PUT` instead of a `GET` and a `PUT`.
public struct LearningEventSink: IncidentEventSink {
    let base: any IncidentEventSink
    let service: PagerDutyService

    public init(base: any IncidentEventSink, service: PagerDutyService) {
        self.base = base
        self.service = service
    }

    public func publish(_ event: IncidentEvent) async throws {
        service.learn(event.incident)
        try await base.publish(event)
    }
}
