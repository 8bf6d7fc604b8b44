import Foundation
@testable import PagerDuty
import Testing
import TocsinCore

/// `GET /incidents/{id}/log_entries` for Tocsin's incident page (issue 13): every entry (not only
/// the overview), in UTC, page after page while PagerDuty says `more`, oldest first, with the
/// entry's channel.
@Suite struct LogEntriesTests {
    static func page(_ ids: ClosedRange<Int>, more: Bool) -> String {
        let entries = ids.map { id in
            #"{"id": "R\#(id)", "type": "annotate_log_entry", "summary": "Note \#(id)", "created_at": "2024-05-01T10:\#(String(format: "%02d", id)):00Z", "agent": {"id": "PX", "type": "user_reference", "summary": "Earline Greenholt"}, "channel": {"type": "api"}}"#
        }
        return #"{"log_entries": [\#(entries.joined(separator: ","))], "limit": 100, "offset": 0, "more": \#(more)}"#
    }

    @Test func everyPageIsReadInUTCAndEntriesComeOldestFirstWithTheirChannel() async throws {
        let transport = FakeTransport { request throws(TransportFailure) in
            switch request.path {
            case "/incidents/7": return .json(200, Samples.incidentEnvelope(Samples.incident(id: "P7", number: 7)))
            case "/incidents/P7/log_entries":
                return request.queryValues("offset") == ["0"] ? .json(200, Self.page(3...4, more: true)) : .json(200, Self.page(1...2, more: false))
            default: return HTTPExchangeResponse(status: 404, body: Samples.notFoundError)
            }
        }
        let entries = try await Fixture.service(transport).logEntries(of: 7)
        #expect(entries.map(\.summary) == ["Note 1", "Note 2", "Note 3", "Note 4"])
        #expect(entries.first?.channel == "api")
        #expect(entries.first?.agent == "Earline Greenholt")
        let calls = transport.requests.filter { $0.path == "/incidents/P7/log_entries" }
        #expect(calls.map { $0.queryValues("offset") } == [["0"], ["2"]])
        #expect(calls.allSatisfy { $0.queryValues("is_overview") == ["false"] && $0.queryValues("time_zone") == ["UTC"] })
    }
}
