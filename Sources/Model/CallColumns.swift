/// One column of the `calls` table: its name, the `CallRecord` property that holds it, and
/// which writes may change it.
///
/// `CallRecord.columns` is the one list of them. Reading a row, writing one, the report
/// writers, `verify`'s update and `import`'s merge are all derived from it: a new column is a
/// property, one entry there and a migration (catalog/README.md shows one).
public struct CallColumn: Sendable {
    /// Who writes the column, which decides what `verify` and `import` do with it.
    public enum Role: Sendable, Equatable {
        /// `order_id`, `call_index`: the row's identity.
        case key
        /// What the API said. An import keeps the stored value unless it learned one.
        case metadata
        /// Where the file is. An import replaces it; `verify` leaves it.
        case file
        /// What decoding the file found. `verify` and `import` replace it.
        case verification
        /// The program's own record of its work. An import never changes `attempts` and sets
        /// `downloaded_at` only when it knows one.
        case bookkeeping
        /// What people wrote about the call (`tag`): kept in the `annotations` table, read
        /// with the row, never written with it, so no fetch, import or verify changes it.
        case annotation
    }

    /// How an import that finds an existing row merges this column (docs/import.md).
    public enum ImportMerge: Sendable, Equatable {
        /// The imported value replaces the stored one.
        case replace
        /// The stored value stays.
        case keep
        /// The imported value replaces the stored one unless it is one of these (text).
        case unlessEmpty([String])
        /// The imported value replaces the stored one unless it is NULL.
        case unlessNull
        /// The imported value replaces the stored one when the import learned the named column.
        case with(String)
    }

    public let name: String
    public let role: Role
    public let importMerge: ImportMerge
    /// False for `api_json`, which is kept for audits but is not a docs/contract.md §4 column.
    public let isContractColumn: Bool
    private let get: @Sendable (CallRecord) -> FieldValue
    private let set: @Sendable (inout CallRecord, FieldValue) -> Void

    init<Value: ColumnValue>(
        _ name: String, _ keyPath: any WritableKeyPath<CallRecord, Value> & Sendable, _ role: Role,
        importMerge: ImportMerge? = nil, isContractColumn: Bool = true
    ) {
        self.name = name
        self.role = role
        self.isContractColumn = isContractColumn
        self.importMerge = importMerge ?? Self.defaultMerge(role, optional: Value.isOptional)
        get = { $0[keyPath: keyPath].fieldValue }
        set = { record, value in record[keyPath: keyPath] = Value(fieldValue: value) }
    }

    private static func defaultMerge(_ role: Role, optional: Bool) -> ImportMerge {
        switch role {
        case .key, .bookkeeping, .annotation: .keep
        case .file, .verification: .replace
        case .metadata: optional ? .unlessNull : .unlessEmpty([""])
        }
    }

    /// The column's value in `record`.
    public func value(in record: CallRecord) -> FieldValue { get(record) }

    /// Stores `value` (as read from the catalog) into `record`.
    public func store(_ value: FieldValue, in record: inout CallRecord) { set(&record, value) }
}

extension CallRecord {
    /// Every column of `calls`, in docs/contract.md §4 order, then `api_json`.
    public static let columns: [CallColumn] = [
        CallColumn("order_id", \.orderID, .key),
        CallColumn("call_index", \.callIndex, .key),
        CallColumn("call_sid", \.callSID, .metadata),
        CallColumn("store_name", \.storeName, .metadata),
        // The code is derived from the name: it changes exactly when the name does.
        CallColumn("store_code", \.storeCode, .metadata, importMerge: .with("store_name")),
        CallColumn("agent_name", \.agentName, .metadata),
        CallColumn("call_status", \.callStatus, .metadata),
        CallColumn("call_in_time", \.callInTime, .metadata),
        CallColumn("call_out_time", \.callOutTime, .metadata),
        CallColumn("call_seconds", \.callSeconds, .metadata),
        CallColumn("recording_url", \.recordingURL, .metadata),
        CallColumn("file_path", \.filePath, .file),
        CallColumn("file_size", \.fileSize, .verification),
        CallColumn("sha256", \.sha256, .verification),
        CallColumn("verdict", \.verdict, .verification),
        CallColumn("verdict_detail", \.verdictDetail, .verification),
        CallColumn("audio_seconds", \.audioSeconds, .verification),
        CallColumn("frames", \.frames, .verification),
        CallColumn("expected_frames", \.expectedFrames, .verification),
        CallColumn("sample_rate", \.sampleRate, .verification),
        CallColumn("channels", \.channels, .verification),
        CallColumn("bitrate_kbps", \.bitrateKbps, .verification),
        CallColumn("attempts", \.attempts, .bookkeeping),
        CallColumn("downloaded_at", \.downloadedAt, .bookkeeping, importMerge: .unlessNull),
        CallColumn("verified_at", \.verifiedAt, .verification),
        // Audio metrics (docs/contract.md §10), measured in the same decode.
        CallColumn("silence_seconds", \.silenceSeconds, .verification),
        CallColumn("longest_silence_seconds", \.longestSilenceSeconds, .verification),
        CallColumn("leading_silence_seconds", \.leadingSilenceSeconds, .verification),
        CallColumn("peak_dbfs", \.peakDBFS, .verification),
        CallColumn("clipped_samples", \.clippedSamples, .verification),
        CallColumn("loudness_lufs", \.loudnessLUFS, .verification),
        // Tags and notes (docs/contract.md §10), from the `annotations` table.
        CallColumn("tags", \.tags, .annotation),
        CallColumn("notes", \.notes, .annotation),
        CallColumn("api_json", \.apiJSON, .metadata, importMerge: .unlessEmpty(["", "{}"]), isContractColumn: false),
    ]

    private static let columnsByName: [String: CallColumn] =
        Dictionary(uniqueKeysWithValues: columns.map { ($0.name, $0) })

    /// The column called `name`, or nil.
    public static func column(named name: String) -> CallColumn? { columnsByName[name] }

    /// The docs/contract.md §4 column names, in §4 order (everything but `api_json`).
    public static let columnNames: [String] = columns.filter(\.isContractColumn).map(\.name)

    /// Every column name, `api_json` last: the order rows are read in.
    public static let allColumnNames: [String] = columns.map(\.name)

    /// The columns of the `calls` table itself, in `columns` order: what a row's write holds
    /// (every column but the `.annotation` ones).
    public static let storedColumns: [CallColumn] = columns.filter { $0.role != .annotation }

    /// The row's values in `storedColumns` order.
    public var storedValues: [FieldValue] { Self.storedColumns.map { $0.value(in: self) } }

    /// The value of a column (or `api_json`) by name; nil for an unknown name.
    public func value(ofColumn name: String) -> FieldValue? {
        Self.column(named: name)?.value(in: self)
    }

    /// The row's values in `columns` order.
    public var columnValues: [FieldValue] { Self.columns.map { $0.value(in: self) } }

    /// A record from values in `columns` order (a catalog row).
    public init(columnValues values: [FieldValue]) {
        self.init()
        for (column, value) in zip(Self.columns, values) { column.store(value, in: &self) }
    }
}

/// A Swift type a catalog column holds, and how it reads from and writes to a `FieldValue`.
public protocol ColumnValue: Sendable {
    var fieldValue: FieldValue { get }
    /// The value a cell holds; a NULL or a cell of the wrong type reads as the type's empty value.
    init(fieldValue: FieldValue)
    /// True for `Optional`: the column may hold NULL.
    static var isOptional: Bool { get }
}

extension ColumnValue {
    public static var isOptional: Bool { false }
}

extension String: ColumnValue {
    public var fieldValue: FieldValue { .text(self) }
    public init(fieldValue: FieldValue) {
        switch fieldValue {
        case .text(let text): self = text
        case .integer(let number): self = String(number)
        case .real(let number): self = String(number)
        case .null: self = ""
        }
    }
}

extension Int: ColumnValue {
    public var fieldValue: FieldValue { .integer(Int64(self)) }
    public init(fieldValue: FieldValue) { self = Int(Int64(fieldValue: fieldValue)) }
}

extension Int64: ColumnValue {
    public var fieldValue: FieldValue { .integer(self) }
    public init(fieldValue: FieldValue) {
        switch fieldValue {
        case .integer(let number): self = number
        case .real(let number): self = Int64(exactly: number.rounded(.towardZero)) ?? 0
        case .text(let text): self = Int64(text) ?? 0
        case .null: self = 0
        }
    }
}

extension Double: ColumnValue {
    public var fieldValue: FieldValue { .real(self) }
    public init(fieldValue: FieldValue) {
        switch fieldValue {
        case .real(let number): self = number
        case .integer(let number): self = Double(number)
        case .text(let text): self = Double(text) ?? 0
        case .null: self = 0
        }
    }
}

extension Verdict: ColumnValue {
    public var fieldValue: FieldValue { .text(rawValue) }
    /// An unknown verdict reads as `failed`, so the call is fetched again.
    public init(fieldValue: FieldValue) { self = Verdict(rawValue: String(fieldValue: fieldValue)) ?? .failed }
}

extension Optional: ColumnValue where Wrapped: ColumnValue {
    public var fieldValue: FieldValue { map(\.fieldValue) ?? .null }
    public init(fieldValue: FieldValue) {
        if case .null = fieldValue { self = nil } else { self = Wrapped(fieldValue: fieldValue) }
    }
    public static var isOptional: Bool { true }
}
