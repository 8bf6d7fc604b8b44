import IRC
import Testing

@Suite struct IRCLineFramerTests {
    private func drain(_ framer: inout IRCLineFramer) throws -> [String] {
        var lines: [String] = []
        while let line = try framer.nextLine() {
            lines.append(String(decoding: line, as: UTF8.self))
        }
        return lines
    }

    @Test func crlfEndsALine() throws {
        var framer = IRCLineFramer()
        framer.append(Array("PING a\r\nPING b\r\n".utf8))
        #expect(try drain(&framer) == ["PING a", "PING b"])
    }

    @Test func bareLineFeedEndsALine() throws {
        var framer = IRCLineFramer()
        framer.append(Array("PING a\nPING b\r\nPING c\n".utf8))
        #expect(try drain(&framer) == ["PING a", "PING b", "PING c"])
    }

    @Test func loneCarriageReturnStaysInTheLine() throws {
        var framer = IRCLineFramer()
        framer.append(Array("a\rb\n".utf8))
        #expect(try drain(&framer) == ["a\rb"])
    }

    @Test func emptyLinesAreSkipped() throws {
        var framer = IRCLineFramer()
        framer.append(Array("\r\n\n\r\nPING a\n\n".utf8))
        #expect(try drain(&framer) == ["PING a"])
    }

    @Test func partialLineWaitsForItsEnd() throws {
        var framer = IRCLineFramer()
        framer.append(Array("PING a\r".utf8))
        #expect(try framer.nextLine() == nil)
        #expect(framer.bufferedByteCount == 7)
        framer.append([0x0A])
        #expect(try drain(&framer) == ["PING a"])
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func bytesArrivingOneAtATimeGiveTheSameLines() throws {
        let stream = Array(":a!b@c PRIVMSG #x :héllo\r\nPING y\nPONG z\r\n".utf8)
        var framer = IRCLineFramer()
        var lines: [String] = []
        for byte in stream {
            framer.append(CollectionOfOne(byte))
            lines += try drain(&framer)
        }
        #expect(lines == [":a!b@c PRIVMSG #x :héllo", "PING y", "PONG z"])
    }

    @Test func endlessLineThrowsOnceThenTheStreamContinues() throws {
        var framer = IRCLineFramer(maxLineBytes: 100)
        framer.append([UInt8](repeating: UInt8(ascii: "a"), count: 150))
        #expect(throws: IRCParseError.lineTooLong(.line, bytes: 150, limit: 100)) { try framer.nextLine() }
        #expect(framer.bufferedByteCount == 0)
        framer.append([UInt8](repeating: UInt8(ascii: "a"), count: 500))
        #expect(try framer.nextLine() == nil)  // still discarding, no second error
        framer.append(Array("aaa\r\nPING ok\r\n".utf8))
        #expect(try drain(&framer) == ["PING ok"])
    }

    @Test func completeOverlongLineIsReportedAndSkipped() throws {
        var framer = IRCLineFramer(maxLineBytes: 10)
        framer.append(Array("0123456789AB\r\nPING ok\r\n".utf8))
        #expect(throws: IRCParseError.lineTooLong(.line, bytes: 14, limit: 10)) { try framer.nextLine() }
        #expect(try drain(&framer) == ["PING ok"])
    }

    @Test func lineOfExactlyTheMaximumIncludingCRLFIsAccepted() throws {
        var framer = IRCLineFramer(maxLineBytes: 10)
        framer.append(Array("01234567\r\n".utf8))
        #expect(try drain(&framer) == ["01234567"])
    }

    @Test func defaultMaximumCoversTagsAndBody() {
        #expect(IRCLineFramer().maxLineBytes == 8191 + 512)
    }

    @Test func manyLinesDoNotLoseData() throws {
        var framer = IRCLineFramer()
        var expected: [String] = []
        var stream: [UInt8] = []
        for number in 0..<3000 {
            let line = "PRIVMSG #ops :line \(number)"
            expected.append(line)
            stream += Array(line.utf8) + (number % 2 == 0 ? [0x0D, 0x0A] : [0x0A])
        }
        var lines: [String] = []
        var offset = 0
        while offset < stream.count {
            let end = min(offset + 977, stream.count)
            framer.append(stream[offset..<end])
            lines += try drain(&framer)
            offset = end
        }
        #expect(lines == expected)
    }

    @Test func framedLinesParse() throws {
        var framer = IRCLineFramer()
        framer.append(Array("@time=2020-01-01T00:00:00Z :s 001 bot :Welcome\r\n".utf8))
        let line = try #require(try framer.nextLine())
        #expect(try IRCMessage(parsing: line).command == IRCNumeric.welcome)
    }
}
