import GRDB
import Model

extension CallRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "calls"

    /// Column expressions for the query builder, named as in SPEC §4.
    public enum Columns {
        public static let orderID = Column(CodingKeys.orderID)
        public static let callIndex = Column(CodingKeys.callIndex)
        public static let verdict = Column(CodingKeys.verdict)
    }
}

extension DownloadAttempt: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
}
