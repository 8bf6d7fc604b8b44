@testable import HTTPIntake
import Testing

/// The `X-PagerDuty-Signature` check on its own (developer docs, "Webhooks" › "Verifying Signatures").
@Suite struct WebhookSignatureTests {
    let body = Array(WebhookSamples.priorityUpdated.utf8)

    @Test func signatureComputedOutsideSwiftVerifies() {
        let check = WebhookSignature(secrets: [WebhookSamples.priorityUpdatedSecret])
        #expect(WebhookSignature.sign(body, secret: WebhookSamples.priorityUpdatedSecret)
            == WebhookSamples.priorityUpdatedSignature)
        #expect(check.verify(body: body, headerValues: [WebhookSamples.priorityUpdatedSignature]) == .genuine)
    }

    /// The docs' example header: two `v1` signatures, one per secret during rotation.
    @Test func onlyV1HexEntriesAreSignatures() {
        let header = "v1=f03de6f61df6e454f3620c4d6aca17ad072d3f8bbb2760eac3b2ad391b5e8073,"
            + "v1=130dcacb53a94d983a37cf2acba98e805a1c37185309ba56fdcccbcf00d6dd8b, v2=ab, v1=xyz"
        let signatures = WebhookSignature.signatures(inHeaderValues: [header])
        #expect(signatures.count == 2)
        #expect(signatures.allSatisfy { $0.count == 32 })
        #expect(signatures.first?.first == 0xf0)
    }

    @Test func signaturesSplitOverSeveralHeaderLinesAreAllRead() {
        let check = WebhookSignature(secrets: ["s"])
        let valid = WebhookSignature.sign(body, secret: "s")
        #expect(check.verify(body: body, headerValues: ["v1=00", valid]) == .genuine)
    }

    @Test func headerWithoutV1SignatureIsMalformedAndWrongSignatureIsNotValid() {
        let check = WebhookSignature(secrets: ["s"])
        #expect(check.verify(body: body, headerValues: ["v0=00"]) == .malformedHeader)
        #expect(check.verify(body: body, headerValues: []) == .malformedHeader)
        #expect(check.verify(body: body, headerValues: [WebhookSignature.sign(body, secret: "t")])
            == .noValidSignature)
        // A prefix of the right MAC is not the MAC.
        let truncated = String(WebhookSignature.sign(body, secret: "s").dropLast(2))
        #expect(check.verify(body: body, headerValues: [truncated]) == .noValidSignature)
    }
}
