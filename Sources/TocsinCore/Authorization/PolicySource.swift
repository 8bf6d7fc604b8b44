/// The authorization policy in force, shared by every copy of the ``CommandHandler`` and replaced
/// whole by a reload, so new identities and room policies apply to the next command without a
/// restart or a dropped connection.
public typealias PolicySource = Reloadable<AuthorizationPolicy>
