import Testing
@testable import XMPP

@Suite("SCRAM client (RFC 5802, RFC 7677)")
struct SCRAMClientTests {
    @Test("RFC 5802 §5 SCRAM-SHA-1 example")
    func rfc5802SHA1Vector() throws {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(client.clientFirstMessage() == "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL")
        let final = try client.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(final == "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=")
        try client.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=")
    }

    @Test("RFC 7677 §3 SCRAM-SHA-256 example")
    func rfc7677SHA256Vector() throws {
        var client = SCRAMClient(hash: .sha256, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        #expect(client.clientFirstMessage() == "n,,n=user,r=rOprNGfwEbeRWgbNEkqO")
        let final = try client.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(final == "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")
        try client.verifyServerFinal("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")
    }

    @Test("SCRAM-SHA-512 matches an independent computation (Python hashlib)")
    func sha512MatchesReference() throws {
        var client = SCRAMClient(hash: .sha512, username: "user", password: "pencil", nonce: "rOprNGfwEbeRWgbNEkqO")
        _ = client.clientFirstMessage()
        let final = try client.clientFinalMessage(serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
        #expect(final.hasSuffix(",p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ=="))
        try client.verifyServerFinal("v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==")
    }

    @Test("commas and equals signs in the username are escaped, UTF-8 passwords are used as is")
    func usernameEscapingAndUTF8Password() throws {
        var client = SCRAMClient(hash: .sha256, username: "a=b,c", password: "pässwörd", nonce: "abc")
        #expect(client.clientFirstMessage() == "n,,n=a=3Db=2Cc,r=abc")
        let final = try client.clientFinalMessage(serverFirst: "r=abcdef,s=c2FsdA==,i=4096")
        #expect(final == "c=biws,r=abcdef,p=oiQ+fKgfQa6M6jQEEi+sstg7EAcmnA+q1m3V8M5w4i8=")
        try client.verifyServerFinal("v=DhNmryb+pZ2a66is4c+sOirafCUT/2VePQiQY3taU90=")
    }

    @Test("a forged server signature is rejected")
    func forgedServerSignatureIsRejected() throws {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        _ = try client.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(throws: SASLError.serverSignatureMismatch) { try client.verifyServerFinal("v=AAAAAAAAAAAAAAAAAAAAAAAAAAA=") }
        #expect(throws: SASLError.invalidBase64("server signature v=rmF9pqV8S7suAoZWja4dJRkFsKQ")) { try client.verifyServerFinal("v=rmF9pqV8S7suAoZWja4dJRkFsKQ") }
        #expect(throws: SASLError.serverSignatureMismatch) { try client.verifyServerFinal("v=smF9pqV8S7suAoZWja4dJRkFsKQ=") }
        #expect(throws: SASLError.serverSignatureMismatch) { try client.verifyServerFinal("v=") }
        #expect(throws: SASLError.self) { try client.verifyServerFinal("x=1") }
    }

    @Test("a server error in the final message is reported with its reason")
    func serverErrorIsReported() throws {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "wrong", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        _ = try client.clientFinalMessage(serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096")
        #expect(throws: SASLError.serverError("invalid-proof")) { try client.verifyServerFinal("e=invalid-proof") }
    }

    @Test("a server nonce that does not extend ours is rejected", arguments: [
        "r=someoneelse3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
        "r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",
        "r=fyko+d2lbbFgONRv9qkxda,s=QSXCR+Q6sek8bf92,i=4096",
    ])
    func badNonceIsRejected(serverFirst: String) {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        #expect(throws: SASLError.nonceMismatch) { try client.clientFinalMessage(serverFirst: serverFirst) }
    }

    @Test("malformed server-first messages are rejected", arguments: [
        ("s=QSXCR+Q6sek8bf92,i=4096", "missing nonce"),
        ("r=fyko+d2lbbFgONRv9qkxdawLX,i=4096", "missing salt"),
        ("r=fyko+d2lbbFgONRv9qkxdawLX,s=!!!,i=4096", "salt not base64"),
        ("r=fyko+d2lbbFgONRv9qkxdawLX,s=QSXCR+Q6sek8bf92", "missing iterations"),
        ("r=fyko+d2lbbFgONRv9qkxdawLX,s=QSXCR+Q6sek8bf92,i=many", "iterations not a number"),
        ("r=fyko+d2lbbFgONRv9qkxdawLX,s=QSXCR+Q6sek8bf92,i=0", "zero iterations"),
        ("garbage", "not attribute pairs"),
        ("", "empty"),
    ])
    func malformedServerFirstIsRejected(serverFirst: String, why: String) {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        _ = client.clientFirstMessage()
        #expect(throws: SASLError.self, "\(why)") { try client.clientFinalMessage(serverFirst: serverFirst) }
    }

    @Test("a mandatory extension or server error in server-first stops the exchange")
    func mandatoryExtensionStops() {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: SASLError.unsupportedMandatoryExtension("foo")) { try client.clientFinalMessage(serverFirst: "m=foo,r=abcd,s=c2FsdA==,i=4096") }
        #expect(throws: SASLError.serverError("unknown-user")) { try client.clientFinalMessage(serverFirst: "e=unknown-user") }
    }

    @Test("iteration counts below the minimum are refused, and the minimum is configurable")
    func lowIterationCountIsRefused() throws {
        var strict = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "abc")
        _ = strict.clientFirstMessage()
        #expect(throws: SASLError.iterationCountTooLow(1000, minimum: 4096)) { try strict.clientFinalMessage(serverFirst: "r=abcd,s=c2FsdA==,i=1000") }

        var lenient = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "abc", minimumIterations: 1)
        _ = lenient.clientFirstMessage()
        #expect(throws: Never.self) { try lenient.clientFinalMessage(serverFirst: "r=abcd,s=c2FsdA==,i=1") }
    }

    @Test("absurd iteration counts are refused instead of stalling")
    func hugeIterationCountIsRefused() {
        var client = SCRAMClient(hash: .sha512, username: "user", password: "pencil", nonce: "abc")
        _ = client.clientFirstMessage()
        #expect(throws: SASLError.iterationCountTooHigh(2_000_000_000, maximum: SCRAMClient.maximumIterations)) {
            try client.clientFinalMessage(serverFirst: "r=abcd,s=c2FsdA==,i=2000000000")
        }
    }

    @Test("steps out of order are programming errors reported as such")
    func stepsOutOfOrder() {
        var client = SCRAMClient(hash: .sha1, username: "user", password: "pencil", nonce: "abc")
        #expect(throws: SASLError.self) { try client.clientFinalMessage(serverFirst: "r=abcd,s=c2FsdA==,i=4096") }
        #expect(throws: SASLError.self) { try client.verifyServerFinal("v=AAAA") }
    }

    @Test("random nonces are printable, comma-free and different each time")
    func randomNoncesAreUsable() {
        let a = SCRAMClient(hash: .sha256, username: "u", password: "p")
        let b = SCRAMClient(hash: .sha256, username: "u", password: "p")
        #expect(a.clientNonce != b.clientNonce)
        #expect(a.clientNonce.count >= 24)
        #expect(!a.clientNonce.contains(","))
        #expect(a.clientNonce.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) })
    }

    @Test("the password never appears in descriptions or dumps")
    func passwordIsNotPrinted() {
        let client = SCRAMClient(hash: .sha256, username: "bot", password: "hunter2", nonce: "n")
        var dumped = ""
        dump(client, to: &dumped)
        #expect(!dumped.contains("hunter2"))
        #expect(!String(describing: client).contains("hunter2"))
        #expect(!String(reflecting: client).contains("hunter2"))
    }
}
