/// Numeric replies a bot reacts to, named as in RFC 2812 §5 and the IRCv3 specs, so code reads
/// `case IRCNumeric.nicknameInUse` instead of `"433"`. Numerics are compared as the three-digit
/// strings ``IRCMessage/command`` holds.
public enum IRCNumeric {
    // Registration (RFC 2812 §5.1, modern.ircdocs.horse)
    /// RPL_WELCOME: registration is complete.
    public static let welcome = "001"
    /// RPL_YOURHOST.
    public static let yourHost = "002"
    /// RPL_CREATED.
    public static let created = "003"
    /// RPL_MYINFO.
    public static let myInfo = "004"
    /// RPL_ISUPPORT: server features, see ``ISupport``.
    public static let isupport = "005"
    /// RPL_ENDOFMOTD: the last line of the MOTD, a good "connected" marker.
    public static let endOfMOTD = "376"
    /// ERR_NOMOTD: sent instead of the MOTD.
    public static let noMOTD = "422"

    // Nicks
    /// ERR_ERRONEUSNICKNAME: the nick is not allowed.
    public static let erroneousNickname = "432"
    /// ERR_NICKNAMEINUSE: pick an alternative and regain later.
    public static let nicknameInUse = "433"
    /// ERR_NICKCOLLISION.
    public static let nickCollision = "436"
    /// ERR_UNAVAILRESOURCE: nick or channel temporarily unavailable (RFC 2812).
    public static let unavailableResource = "437"

    // Channels
    /// RPL_TOPIC.
    public static let topic = "332"
    /// RPL_INVITING: confirms our INVITE (and, with invite-notify, tells of others').
    public static let inviting = "341"
    /// RPL_NAMREPLY.
    public static let namesReply = "353"
    /// RPL_ENDOFNAMES.
    public static let endOfNames = "366"
    /// ERR_NOSUCHNICK.
    public static let noSuchNick = "401"
    /// ERR_NOSUCHCHANNEL.
    public static let noSuchChannel = "403"
    /// ERR_CANNOTSENDTOCHAN: e.g. moderated channel or not joined.
    public static let cannotSendToChannel = "404"
    /// ERR_TOOMANYCHANNELS: CHANLIMIT reached.
    public static let tooManyChannels = "405"
    /// ERR_CHANNELISFULL (+l).
    public static let channelIsFull = "471"
    /// ERR_INVITEONLYCHAN (+i).
    public static let inviteOnlyChannel = "473"
    /// ERR_BANNEDFROMCHAN (+b).
    public static let bannedFromChannel = "474"
    /// ERR_BADCHANNELKEY (+k).
    public static let badChannelKey = "475"
    /// ERR_CHANOPRIVSNEEDED.
    public static let chanOpPrivilegesNeeded = "482"

    // WHO / WHOX
    /// RPL_ENDOFWHO.
    public static let endOfWho = "315"
    /// RPL_WHOREPLY.
    public static let whoReply = "352"
    /// RPL_WHOSPCRPL: a WHOX reply.
    public static let whoSpecialReply = "354"

    // Errors during registration
    /// ERR_UNKNOWNCOMMAND.
    public static let unknownCommand = "421"
    /// ERR_NOTREGISTERED.
    public static let notRegistered = "451"
    /// ERR_NEEDMOREPARAMS.
    public static let needMoreParameters = "461"
    /// ERR_PASSWDMISMATCH: wrong server password.
    public static let passwordMismatch = "464"
    /// ERR_YOUREBANNEDCREEP: K-lined.
    public static let bannedFromServer = "465"

    // MONITOR (IRCv3 monitor)
    /// RPL_MONONLINE: a monitored nick came online.
    public static let monitorOnline = "730"
    /// RPL_MONOFFLINE: a monitored nick went offline (e.g. our configured nick is free again).
    public static let monitorOffline = "731"

    // SASL (IRCv3 sasl-3.1)
    /// RPL_LOGGEDIN.
    public static let loggedIn = "900"
    /// RPL_LOGGEDOUT.
    public static let loggedOut = "901"
    /// ERR_NICKLOCKED: the account is locked.
    public static let nickLocked = "902"
    /// RPL_SASLSUCCESS.
    public static let saslSuccess = "903"
    /// ERR_SASLFAIL: wrong credentials or mechanism failure.
    public static let saslFail = "904"
    /// ERR_SASLTOOLONG: an AUTHENTICATE line exceeded 400 bytes.
    public static let saslTooLong = "905"
    /// ERR_SASLABORTED.
    public static let saslAborted = "906"
    /// ERR_SASLALREADY: already authenticated.
    public static let saslAlready = "907"
    /// RPL_SASLMECHS: the mechanisms the server offers.
    public static let saslMechs = "908"
}
