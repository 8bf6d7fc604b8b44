import Testing
@testable import PagerDuty

/// A note's webhook names its incident by reference, whose summary is PagerDuty's "[#N] title":
/// announced as is, the room read `NOTE #2 [#2] Payments queue backlog`.
@Suite struct WebhookReferenceTitleTests {
    @Test func theNumberPrefixOfAReferenceSummaryIsNotPartOfTheTitle() {
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "[#2] Payments queue backlog") == "Payments queue backlog")
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "[#1234]  Disk full") == "Disk full")
    }

    @Test func aTitleThatMerelyStartsWithABracketIsKept() {
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "A little bump in the road") == "A little bump in the road")
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "[#prod] db down") == "[#prod] db down")
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "[#] x") == "[#] x")
        #expect(WebhookEventTranslation.title(fromReferenceSummary: "[#12 unclosed") == "[#12 unclosed")
    }
}
