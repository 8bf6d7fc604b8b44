#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Logging

// tocsin-bench: the in-process half of `integration-tests/bench.sh` (release build).
//
//   tocsin-bench codec [--seconds S] [--only irc-parse|irc-frame-parse|xmpp]
//                                          IRC lines and XMPP stanzas parsed per second, one core
//   tocsin-bench share [--iterations N]    Tocsin's own share of a `!ack` round trip (no API, no socket)
//   tocsin-bench all [--seconds S] [--iterations N]
//
// Standard output is one JSON object (read by bench.sh); progress and a summary go to standard error.

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

struct Options {
    var command = "all"
    var seconds = 3.0
    var iterations = 10_000
    /// codec: run one measurement only (irc-parse, irc-frame-parse, xmpp), e.g. under callgrind.
    var only: String?

    init(_ arguments: [String]) throws(UsageError) {
        var rest = arguments[...]
        if let first = rest.first, !first.hasPrefix("-") {
            command = first
            rest = rest.dropFirst()
        }
        guard ["codec", "share", "all"].contains(command) else { throw UsageError("unknown command \(command)") }
        while let option = rest.popFirst() {
            guard let value = rest.popFirst() else { throw UsageError("\(option) needs a value") }
            switch option {
            case "--seconds":
                guard let number = Double(value), number > 0 else { throw UsageError("--seconds: expected a positive number") }
                seconds = number
            case "--only":
                guard ["irc-parse", "irc-frame-parse", "xmpp"].contains(value) else {
                    throw UsageError("--only: expected irc-parse, irc-frame-parse or xmpp")
                }
                only = value
            case "--iterations":
                guard let number = Int(value), number >= 100 else { throw UsageError("--iterations: expected at least 100") }
                iterations = number
            default:
                throw UsageError("unknown option \(option)")
            }
        }
    }
}

struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func format(_ rate: Double) -> String {
    rate >= 1_000_000 ? "\((rate / 10_000).rounded() / 100) M" : "\((rate / 10).rounded() / 100) k"
}

func runCodec(seconds: Double, only: String?) throws -> JSONValue {
    let bench = CodecBenchmark(duration: .milliseconds(Int64(seconds * 1000)))
    let irc = IRCCorpus()
    let xmpp = XMPPCorpus()
    FileHandleOutput.standardError("codec: IRC corpus \(irc.lines.count) lines (avg \(Int(irc.averageLineBytes)) B), XMPP corpus \(xmpp.stanzaCount) top-level elements (\(xmpp.body.count) B)")
    var result: [String: JSONValue] = ["irc_corpus_avg_line_bytes": .number(irc.averageLineBytes)]
    if only == nil || only == "irc-parse" {
        let parse = try bench.ircParse(irc)
        FileHandleOutput.standardError("codec: IRC parse            \(format(parse.median)) lines/s (best \(format(parse.best)))")
        result["irc_parse"] = parse.json(unit: "lines")
    }
    if only == nil || only == "irc-frame-parse" {
        let framed = try bench.ircFrameAndParse(irc)
        FileHandleOutput.standardError("codec: IRC frame+parse      \(format(framed.median)) lines/s (best \(format(framed.best)))")
        result["irc_frame_parse"] = framed.json(unit: "lines")
    }
    if only == nil || only == "xmpp" {
        let stream = try bench.xmppParse(xmpp)
        FileHandleOutput.standardError("codec: XMPP stream parse    \(format(stream.median)) stanzas/s (best \(format(stream.best)))")
        result["xmpp_stream_parse"] = stream.json(unit: "stanzas")
    }
    return .object(result)
}

func runShare(iterations: Int) async throws -> JSONValue {
    let bench = CommandPathBenchmark(iterations: iterations)
    // Off the main actor, as the gateway's connection tasks are.
    let direct = try await Task.detached { try await bench.runDirect() }.value
    FileHandleOutput.standardError("share: direct      p50 \(Int(direct.total.p50.microseconds)) µs  p99 \(Int(direct.total.p99.microseconds)) µs  (n=\(direct.total.count), confirmed \(direct.confirmed))")
    for name in CommandPathBenchmark.stages {
        if let stage = direct.stages[name] {
            FileHandleOutput.standardError("share:   \(name + String(repeating: " ", count: max(0, 20 - name.count))) p50 \((stage.p50.microseconds * 10).rounded() / 10) µs  p99 \((stage.p99.microseconds * 10).rounded() / 10) µs")
        }
    }
    let viaDispatcher = try await Task.detached { try await bench.runViaDispatcher() }.value
    FileHandleOutput.standardError("share: dispatcher  p50 \(Int(viaDispatcher.total.p50.microseconds)) µs  p99 \(Int(viaDispatcher.total.p99.microseconds)) µs  (n=\(viaDispatcher.total.count), confirmed \(viaDispatcher.confirmed))")
    return .object(["direct": direct.json(), "dispatcher": viaDispatcher.json()])
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    var result: [String: JSONValue] = [:]
    if options.command == "codec" || options.command == "all" {
        result["codec"] = try runCodec(seconds: options.seconds, only: options.only)
    }
    if options.command == "share" || options.command == "all" {
        result["share"] = try await runShare(iterations: options.iterations)
    }
    print(JSONValue.object(result).text)
} catch let error as UsageError {
    FileHandleOutput.standardError("tocsin-bench: \(error)\nusage: tocsin-bench codec|share|all [--seconds S] [--iterations N]")
    exit(2)
} catch {
    FileHandleOutput.standardError("tocsin-bench: \(error)")
    exit(1)
}
