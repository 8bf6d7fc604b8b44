/// Server-to-client byte streams modelled on what prosody 0.12 and ejabberd 23.01 send.
enum Transcripts {
    /// Prosody before STARTTLS: header and features requiring TLS, then `<proceed/>`.
    static let prosodyPreTLS = """
    <?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' id='5f3a6e0c-9d3e-4f0e-a2a4-07e6f5bd1c11' from='example.com' version='1.0' xmlns:stream='http://etherx.jabber.org/streams'><stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features><proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>
    """

    /// Prosody after TLS: SASL offer, SCRAM exchange (RFC 5802 vector), success.
    static let prosodySASL = """
    <?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' id='a0c1' from='example.com' version='1.0' xmlns:stream='http://etherx.jabber.org/streams'>
    <stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism></mechanisms></stream:features>
    <challenge xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0wzcmZjTkhZSlkxWlZ2V1ZzN2oscz1RU1hDUitRNnNlazhiZjkyLGk9NDA5Ng==</challenge>
    <success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>dj1ybUY5cHFWOFM3c3VBb1pXamE0ZEpSa0ZzS1E9</success>
    """

    /// Prosody after authentication: bind, stream management, a room join, history, live
    /// traffic, pings and the stream close.
    static let prosodySession = """
    <?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' id='b7d2' from='example.com' version='1.0' xmlns:stream='http://etherx.jabber.org/streams'>
    <stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><required/></bind><session xmlns='urn:ietf:params:xml:ns:xmpp-session'><optional/></session><sm xmlns='urn:xmpp:sm:2'><optional/></sm><sm xmlns='urn:xmpp:sm:3'><optional/></sm><csi xmlns='urn:xmpp:csi:0'/></stream:features>
    <iq id='bind1' type='result'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>tocsin@example.com/bot</jid></bind></iq>
    <enabled xmlns='urn:xmpp:sm:3' id='g2gCbQAAAAZzbWlkLTE=' resume='true' max='600'/>
    <presence from='ops@conference.example.com/alice' to='tocsin@example.com/bot'><x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' jid='alice@example.com/laptop' role='moderator'/></x></presence>
    <presence from='ops@conference.example.com/Tocsin' to='tocsin@example.com/bot' id='join1'><x xmlns='http://jabber.org/protocol/muc#user'><status code='100'/><item affiliation='member' jid='tocsin@example.com/bot' role='participant'/><status code='110'/></x></presence>
    <message from='ops@conference.example.com/alice' to='tocsin@example.com/bot' type='groupchat' id='old1'><body>!ack 41</body><delay xmlns='urn:xmpp:delay' from='ops@conference.example.com' stamp='2024-05-01T10:00:00Z'/></message>
    <message from='ops@conference.example.com' to='tocsin@example.com/bot' type='groupchat' id='subj'><subject>On-call: alice &amp; bob</subject></message>
    <message from='ops@conference.example.com/alice' to='tocsin@example.com/bot' type='groupchat' id='m1' xml:lang='en'><body>!ack 123 &lt;see runbook&gt; &#x1F6A8;</body><stanza-id xmlns='urn:xmpp:sid:0' by='ops@conference.example.com' id='q1'/></message>
    <r xmlns='urn:xmpp:sm:3'/>
    <iq from='example.com' to='tocsin@example.com/bot' id='ping-42' type='get'><ping xmlns='urn:xmpp:ping'/></iq>
    <message from='alice@example.com/laptop' to='tocsin@example.com' type='normal'><x xmlns='jabber:x:conference' jid='sre@conference.example.com' reason='join us' password='s3cret'/></message>
    <message from='db@conference.example.com' to='tocsin@example.com'><x xmlns='http://jabber.org/protocol/muc#user'><invite from='bob@example.com/phone'><reason>DB is down</reason></invite><password>pw</password></x></message>
    <a xmlns='urn:xmpp:sm:3' h='3'/>
    <message from='ops@conference.example.com/bob' type='groupchat'><body><![CDATA[<b>raw</b> & cdata]]></body></message>
    </stream:stream>
    """

    /// ejabberd 23.01 features after TLS, with -PLUS variants and SCRAM-SHA-512 first.
    static let ejabberdFeatures = """
    <?xml version='1.0'?><stream:stream id='9212964473853540350' version='1.0' xml:lang='en' xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.org'><stream:features><c xmlns='http://jabber.org/protocol/caps' hash='sha-1' node='http://www.process-one.net/en/ejabberd/' ver='abc='/><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>SCRAM-SHA-512-PLUS</mechanism><mechanism>SCRAM-SHA-256-PLUS</mechanism><mechanism>SCRAM-SHA-1-PLUS</mechanism><mechanism>SCRAM-SHA-512</mechanism><mechanism>SCRAM-SHA-256</mechanism><mechanism>SCRAM-SHA-1</mechanism><mechanism>PLAIN</mechanism><mechanism>X-OAUTH2</mechanism></mechanisms><register xmlns='http://jabber.org/features/iq-register'/></stream:features>
    """
}
