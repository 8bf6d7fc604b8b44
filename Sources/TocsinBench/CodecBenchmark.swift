import IRC
import XMPP

/// Parser throughput on one core: the IRC line parser (alone, and behind the line framer fed
/// socket-sized chunks) and the XMPP stream parser fed a stanza stream in TLS-record-sized chunks.
///
/// Each measurement repeats whole passes over its corpus until `duration` has elapsed and reports
/// the best pass rate and the median one (the best is what the code can do; the median is what a
/// shared 2-core machine gave most of the time).
struct CodecBenchmark {
    var duration: Duration = .seconds(3)

    struct Throughput {
        var unitsPerPass: Int
        var bytesPerPass: Int
        var passRates: [Double]  // units per second, one per pass

        var best: Double { passRates.max() ?? 0 }
        var median: Double { passRates.sorted()[passRates.count / 2] }

        func json(unit: String) -> JSONValue {
            .object([
                "\(unit)_per_second_best": .number(best.rounded()),
                "\(unit)_per_second_median": .number(median.rounded()),
                "mb_per_second_median": .number(median * Double(bytesPerPass) / Double(unitsPerPass) / 1_000_000),
                "passes": .number(Double(passRates.count)),
                "\(unit)_per_pass": .number(Double(unitsPerPass)),
                "bytes_per_pass": .number(Double(bytesPerPass)),
            ])
        }
    }

    /// Runs `pass` (which must process `units` items) repeatedly for `duration`, after one warm-up.
    func measure(units: Int, bytes: Int, _ pass: () throws -> Int) rethrows -> Throughput {
        let clock = ContinuousClock()
        var sink = try pass()  // warm-up: caches, allocator, branch predictors
        var rates: [Double] = []
        let end = clock.now + duration
        repeat {
            let start = clock.now
            sink &+= try pass()
            let elapsed = clock.now - start
            rates.append(Double(units) / elapsed.seconds)
        } while clock.now < end || rates.count < 3
        blackHole(sink)
        return Throughput(unitsPerPass: units, bytesPerPass: bytes, passRates: rates)
    }

    /// `IRCMessage(parsing:)` over already framed lines: the whole line validated (limits,
    /// forbidden bytes, tag section, command) and split into fields, then the command read as a
    /// dispatcher does. Parameters, tags and the source stay bytes until read, so their decoding
    /// is not in this figure: it is paid by whoever reads them (see `IRCParsedLine`).
    func ircParse(_ corpus: IRCCorpus) throws -> Throughput {
        let lines = corpus.lines
        return try measure(units: lines.count, bytes: lines.reduce(0) { $0 + $1.count + 2 }) {
            var checksum = 0
            for line in lines {
                let message = try IRCMessage(parsing: line)
                checksum &+= message.parameterCount &+ message.command.utf8.count
            }
            return checksum
        }
    }

    /// `IRCLineFramer` fed 4 KiB chunks (a typical TLS read), then `IRCMessage(parsing:)` per line:
    /// what the connection's inbound handler does.
    func ircFrameAndParse(_ corpus: IRCCorpus, chunk: Int = 4096) throws -> Throughput {
        let stream = corpus.stream
        return try measure(units: corpus.lines.count, bytes: stream.count) {
            var framer = IRCLineFramer()
            var checksum = 0
            var offset = 0
            while offset < stream.count {
                let end = min(offset + chunk, stream.count)
                framer.append(stream[offset..<end])
                offset = end
                while let line = try framer.nextLine() {
                    let message = try IRCMessage(parsing: line)
                    checksum &+= message.parameterCount
                }
            }
            return checksum
        }
    }

    /// `XMPPStreamParser.feed` with 4 KiB chunks of a stanza stream; counts complete stanzas.
    func xmppParse(_ corpus: XMPPCorpus, chunk: Int = 4096) throws -> Throughput {
        let body = corpus.body
        return try measure(units: corpus.stanzaCount, bytes: body.count) {
            var parser = XMPPStreamParser()
            _ = try parser.feed(XMPPCorpus.header)
            var stanzas = 0
            var offset = 0
            while offset < body.count {
                let end = min(offset + chunk, body.count)
                for event in try parser.feed(body[offset..<end]) {
                    if case .stanza = event { stanzas += 1 }
                }
                offset = end
            }
            precondition(stanzas == corpus.stanzaCount, "parsed \(stanzas) of \(corpus.stanzaCount) stanzas")
            return stanzas
        }
    }
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never)
func blackHole<T>(_ value: T) {
    withExtendedLifetime(value) {}
}
