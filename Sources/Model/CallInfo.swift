/// One call as the telephony API describes it (docs/contract.md §1), before anything is downloaded.
public struct CallInfo: Sendable, Equatable {
    public var storeName: String
    public var agentName: String
    public var callStatus: String
    public var callInTime: String
    public var callOutTime: String
    public var recordingURL: String
    public var callSID: String
    /// The whole call object as the API sent it, re-encoded as compact JSON.
    public var rawJSON: String

    public init(
        storeName: String = "", agentName: String = "", callStatus: String = "",
        callInTime: String = "", callOutTime: String = "", recordingURL: String = "",
        callSID: String = "", rawJSON: String = "{}"
    ) {
        self.storeName = storeName
        self.agentName = agentName
        self.callStatus = callStatus
        self.callInTime = callInTime
        self.callOutTime = callOutTime
        self.recordingURL = recordingURL
        self.callSID = callSID
        self.rawJSON = rawJSON
    }

    /// The leading store code of the store name (`MI-062` in `MI-062 Jet's 15235 E Seven Mile`),
    /// empty when there is none.
    public var storeCode: String { StoreCode.leading(in: storeName) }

    /// Call length in seconds (out − in), or nil when either time is missing or unparsable.
    public var callSeconds: Double? {
        guard let start = Timestamp(iso8601: callInTime), let end = Timestamp(iso8601: callOutTime) else { return nil }
        return end.secondsSince(start)
    }
}

/// Extraction of store codes such as `MI-062` or `TX-1204`.
public enum StoreCode {
    /// The first word of `storeName` when it looks like a code: 1–4 letters, a dash, 1–5 digits.
    public static func leading(in storeName: String) -> String {
        let word = storeName.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let parts = word.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2,
              (1...4).contains(parts[0].count), parts[0].allSatisfy({ $0.isASCII && $0.isLetter }),
              (1...5).contains(parts[1].count), parts[1].allSatisfy({ $0.isASCII && $0.isNumber })
        else { return "" }
        return word
    }
}
