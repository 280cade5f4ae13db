import GRDB
import Model

extension CallRecord: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "calls"

    /// The columns `init(row:)` reads, in its order: the §4 columns, then `api_json`.
    static let selection = CodingKeys.allCases.map(\.rawValue).joined(separator: ", ")

    public static var databaseSelection: [any SQLSelectable] { CodingKeys.allCases.map { Column($0.rawValue) } }

    /// Reads a row selected with `selection` by position: several times faster than Codable
    /// decoding, which matters when an export streams a million rows.
    public init(row: Row) throws {
        guard row.count == CodingKeys.allCases.count else {
            throw CatalogError.database("a calls row has \(row.count) columns where \(CodingKeys.allCases.count) were selected")
        }
        self.init(
            orderID: row[0], callIndex: row[1], callSID: row[2], storeName: row[3], storeCode: row[4], agentName: row[5],
            callStatus: row[6], callInTime: row[7], callOutTime: row[8], callSeconds: row[9], recordingURL: row[10],
            filePath: row[11], fileSize: row[12], sha256: row[13], verdict: Verdict(rawValue: row[14]) ?? .failed,
            verdictDetail: row[15], audioSeconds: row[16], frames: row[17], expectedFrames: row[18], sampleRate: row[19],
            channels: row[20], bitrateKbps: row[21], attempts: row[22], downloadedAt: row[23], verifiedAt: row[24], apiJSON: row[25]
        )
    }

    /// The row's values in `CodingKeys` order (the order of `selection`).
    var databaseValues: [DatabaseValue] {
        [
            orderID.databaseValue, callIndex.databaseValue, callSID.databaseValue, storeName.databaseValue,
            storeCode.databaseValue, agentName.databaseValue, callStatus.databaseValue, callInTime.databaseValue,
            callOutTime.databaseValue, callSeconds.databaseValue, recordingURL.databaseValue, filePath.databaseValue,
            fileSize.databaseValue, sha256.databaseValue, verdict.rawValue.databaseValue, verdictDetail.databaseValue,
            audioSeconds.databaseValue, frames.databaseValue, expectedFrames.databaseValue, sampleRate.databaseValue,
            channels.databaseValue, bitrateKbps.databaseValue, attempts.databaseValue, downloadedAt.databaseValue,
            verifiedAt.databaseValue, apiJSON.databaseValue,
        ]
    }

    /// Writes the columns directly: Codable's keyed encoding cost more than SQLite's insert.
    public func encode(to container: inout PersistenceContainer) throws {
        for (key, value) in zip(CodingKeys.allCases, databaseValues) { container[key.rawValue] = value }
    }

    /// Column expressions for the query builder, named as in docs/contract.md §4.
    public enum Columns {
        public static let orderID = Column(CodingKeys.orderID)
        public static let callIndex = Column(CodingKeys.callIndex)
    }
}

extension DownloadAttempt: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
}
