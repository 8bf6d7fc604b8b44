/// A deterministic, realistic mix of the lines a bot reads on a busy IRCv3 network (InspIRCd with
/// `message-tags`, `account-tag`, `server-time`, `extended-join`, `echo-message`).
///
/// The proportions follow what a bot in a few active team channels sees: mostly tagged channel
/// chat, then joins/parts/quits, mode and nick changes, a little server traffic (PING, NAMES,
/// ISUPPORT). Lines are generated from a fixed seed so every run parses the same bytes.
struct IRCCorpus {
    let lines: [[UInt8]]

    /// The corpus as one byte stream with CRLF line ends, as a socket delivers it.
    var stream: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.count + 2 })
        for line in lines {
            out.append(contentsOf: line)
            out.append(contentsOf: [13, 10])
        }
        return out
    }

    var averageLineBytes: Double {
        Double(lines.reduce(0) { $0 + $1.count }) / Double(lines.count)
    }

    init(count: Int = 10_000, seed: UInt64 = 0x7065_6e63_696c) {
        var random = SplitMix64(seed: seed)
        let nicks = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
                     "mallory", "niaj", "olivia", "peggy", "rupert", "sybil", "trent", "victor", "walter", "oncall-bot"]
        let channels = ["#ops", "#ops-db", "#incidents", "#platform", "#sre"]
        let words = ["deploy", "rollback", "the", "db", "replica", "lag", "is", "back", "to", "normal", "checking",
                     "grafana", "p99", "latency", "on", "api", "who", "has", "pager", "today", "?", "ack", "thanks",
                     "looks", "like", "disk", "full", "again", "restarting", "pods", "in", "eu-west-1", "ok"]
        var lines: [String] = []
        lines.reserveCapacity(count)
        var msgid = 0
        func time() -> String {
            let ms = random.next(1000)
            let s = random.next(60)
            return "2025-06-0\(1 + random.next(9))T1\(random.next(10)):\(s < 10 ? "0" : "")\(s):\(s < 10 ? "0" : "")\(s).\(ms < 100 ? "0" : "")\(ms < 10 ? "0" : "")\(ms)Z"
        }
        func sentence() -> String {
            (0..<(4 + random.next(14))).map { _ in words[random.next(words.count)] }.joined(separator: " ")
        }
        func source(_ nick: String) -> String { "\(nick)!~\(nick)@\(nick).users.example.org" }
        while lines.count < count {
            let nick = nicks[random.next(nicks.count)]
            let channel = channels[random.next(channels.count)]
            msgid += 1
            let roll = random.next(100)
            switch roll {
            case 0..<55:
                lines.append("@account=\(nick);msgid=Yk\(msgid)xQ9;time=\(time()) :\(source(nick)) PRIVMSG \(channel) :\(sentence())")
            case 55..<62:
                lines.append("@msgid=Zr\(msgid)pL2;time=\(time()) :\(source(nick)) PRIVMSG \(channel) :\(sentence())")
            case 62..<65:
                lines.append("@account=\(nick);msgid=Ab\(msgid);time=\(time()) :\(source(nick)) PRIVMSG \(channel) :!ack \(random.next(5000))")
            case 65..<69:
                lines.append("@time=\(time()) :\(source(nick)) NOTICE \(channel) :\(sentence())")
            case 69..<76:
                lines.append("@account=\(nick);time=\(time()) :\(source(nick)) JOIN \(channel) \(nick) :\(nick.capitalized) from the platform team")
            case 76..<79:
                lines.append("@time=\(time()) :\(source(nick)) PART \(channel) :Leaving")
            case 79..<82:
                lines.append("@time=\(time()) :\(source(nick)) QUIT :Quit: Connection reset by peer")
            case 82..<85:
                lines.append("PING :irc.localhost")
            case 85..<89:
                lines.append("@time=\(time()) :ChanServ!ChanServ@services.localhost MODE \(channel) +o \(nick)")
            case 89..<91:
                lines.append("@time=\(time()) :\(source(nick)) NICK \(nick)_away")
            case 91..<93:
                let names = (0..<30).map { _ in (random.next(4) == 0 ? "@" : "") + nicks[random.next(nicks.count)] }.joined(separator: " ")
                lines.append(":irc.localhost 353 tocsin = \(channel) :\(names)")
            case 93:
                lines.append(":irc.localhost 005 tocsin AWAYLEN=200 CASEMAPPING=rfc1459 CHANLIMIT=#:20 CHANMODES=IXbeg,k,FHJLdfjl,ACKMNOPQRSTcimnprstz CHANNELLEN=64 CHANTYPES=# ELIST=CMNTU EXCEPTS=e EXTBAN=,ACNOQRSTUacjmnprswz HOSTLEN=64 INVEX=I :are supported by this server")
            case 94:
                lines.append(":irc.localhost 005 tocsin KEYLEN=32 KICKLEN=255 LINELEN=512 MAXLIST=I:100,b:100,e:100,g:100 MAXTARGETS=20 MODES=20 MONITOR=30 NAMELEN=128 NETWORK=TocsinIT NICKLEN=30 PREFIX=(ov)@+ :are supported by this server")
            case 95..<97:
                lines.append("@time=\(time()) :\(source(nick)) TOPIC \(channel) :Incident bridge | on call: \(nick) | runbooks: https://wiki.example.org/runbooks")
            case 97:
                lines.append("@time=\(time()) :\(source(nick)) KICK \(channel) \(nicks[random.next(nicks.count)]) :\(sentence())")
            case 98:
                lines.append(":\(source(nick)) ACCOUNT \(nick)")
            default:
                lines.append("@label=tocsin\(msgid);msgid=Ec\(msgid);time=\(time()) :tocsin!~tocsin@bot.localhost PRIVMSG \(channel) :\u{02}[TRIGGERED]\u{0F} #\(random.next(5000)) \(sentence())")
            }
        }
        self.lines = lines.map { Array($0.utf8) }
    }
}

/// Small, fast, seedable generator (Steele, Lea, Flood 2014) for reproducible corpora.
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `0..<bound`.
    mutating func next(_ bound: Int) -> Int {
        Int(next() % UInt64(bound))
    }
}
