extension MUC {
    /// Status codes in `<status code='…'/>` that change what the bot should do (XEP-0045
    /// status code registry).
    public enum Status {
        /// 110: this presence refers to us — our join is confirmed (§7.2.3).
        public static let selfPresence = 110
        /// 100: the room is non-anonymous; real JIDs are visible to all (§7.2.4).
        public static let nonAnonymous = 100
        /// 201: joining created a new room that is locked until configured (§10.1.1).
        public static let roomCreated = 201
        /// 210: the service changed our nickname.
        public static let nicknameModifiedByService = 210
        /// 301: we were banned (§9.1).
        public static let banned = 301
        /// 303: an occupant changed nickname; the item's `nick` is the new one (§7.6).
        public static let nicknameChanged = 303
        /// 307: we were kicked (§8.2).
        public static let kicked = 307
        /// 321: removed because of an affiliation change (§9.4).
        public static let removedByAffiliationChange = 321
        /// 322: removed because the room became members-only (§9.6).
        public static let removedByMembersOnly = 322
        /// 332: removed because the MUC service is shutting down.
        public static let removedByShutdown = 332
        /// 333: removed because of a technical problem (e.g. the occupant's server became unreachable).
        public static let removedByTechnicalProblem = 333

        /// Codes meaning we are no longer in the room and must rejoin per policy.
        public static let removal: Set<Int> = [banned, kicked, removedByAffiliationChange, removedByMembersOnly, removedByShutdown, removedByTechnicalProblem]
    }
}
