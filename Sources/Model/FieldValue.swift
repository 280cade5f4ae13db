/// One cell of a catalog row, typed, for report writers.
public enum FieldValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
}

extension CallRecord {
    /// The value of a §4 column (or `api_json`) by name; nil for an unknown name.
    public func value(ofColumn name: String) -> FieldValue? {
        CodingKeys(rawValue: name).map(value(of:))
    }

    /// The value of a column.
    public func value(of key: CodingKeys) -> FieldValue {
        func text(_ value: String?) -> FieldValue { value.map(FieldValue.text) ?? .null }
        func integer(_ value: (some BinaryInteger)?) -> FieldValue { value.map { .integer(Int64($0)) } ?? .null }
        func real(_ value: Double?) -> FieldValue { value.map(FieldValue.real) ?? .null }
        switch key {
        case .orderID: return .text(orderID)
        case .callIndex: return .integer(Int64(callIndex))
        case .callSID: return .text(callSID)
        case .storeName: return .text(storeName)
        case .storeCode: return .text(storeCode)
        case .agentName: return .text(agentName)
        case .callStatus: return .text(callStatus)
        case .callInTime: return text(callInTime)
        case .callOutTime: return text(callOutTime)
        case .callSeconds: return real(callSeconds)
        case .recordingURL: return .text(recordingURL)
        case .filePath: return text(filePath)
        case .fileSize: return integer(fileSize)
        case .sha256: return text(sha256)
        case .verdict: return .text(verdict.rawValue)
        case .verdictDetail: return .text(verdictDetail)
        case .audioSeconds: return real(audioSeconds)
        case .frames: return integer(frames)
        case .expectedFrames: return integer(expectedFrames)
        case .sampleRate: return integer(sampleRate)
        case .channels: return integer(channels)
        case .bitrateKbps: return real(bitrateKbps)
        case .attempts: return .integer(Int64(attempts))
        case .downloadedAt: return text(downloadedAt)
        case .verifiedAt: return text(verifiedAt)
        case .apiJSON: return .text(apiJSON)
        }
    }
}
