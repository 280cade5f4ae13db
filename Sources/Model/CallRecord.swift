/// One row of the catalog: one call, everything the archive knows about it (docs/contract.md §4).
///
/// Property names are the Swift spellings of the §4 column names; `Column` lists the column
/// names themselves in §4 order, for CSV headers, `--fields` and `--columns`.
public struct CallRecord: Sendable, Equatable, Codable {
    public var orderID: String
    /// 1 for the order's first call (`ID.mp3`), n for the n-th (`ID-n.mp3`).
    public var callIndex: Int
    public var callSID: String
    public var storeName: String
    public var storeCode: String
    public var agentName: String
    public var callStatus: String
    public var callInTime: String?
    public var callOutTime: String?
    public var callSeconds: Double?
    public var recordingURL: String
    /// Relative to the archive directory.
    public var filePath: String?
    public var fileSize: Int64?
    public var sha256: String?
    public var verdict: Verdict
    public var verdictDetail: String
    public var audioSeconds: Double?
    public var frames: Int?
    public var expectedFrames: Int?
    public var sampleRate: Int?
    public var channels: Int?
    public var bitrateKbps: Double?
    public var attempts: Int
    public var downloadedAt: String?
    public var verifiedAt: String?
    /// The API's call object as JSON (not a §4 column; kept for audits).
    public var apiJSON: String

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case orderID = "order_id"
        case callIndex = "call_index"
        case callSID = "call_sid"
        case storeName = "store_name"
        case storeCode = "store_code"
        case agentName = "agent_name"
        case callStatus = "call_status"
        case callInTime = "call_in_time"
        case callOutTime = "call_out_time"
        case callSeconds = "call_seconds"
        case recordingURL = "recording_url"
        case filePath = "file_path"
        case fileSize = "file_size"
        case sha256
        case verdict
        case verdictDetail = "verdict_detail"
        case audioSeconds = "audio_seconds"
        case frames
        case expectedFrames = "expected_frames"
        case sampleRate = "sample_rate"
        case channels
        case bitrateKbps = "bitrate_kbps"
        case attempts
        case downloadedAt = "downloaded_at"
        case verifiedAt = "verified_at"
        case apiJSON = "api_json"
    }

    /// Every column, in §4 order (the catalog reads rows with this).
    public init(
        orderID: String, callIndex: Int, callSID: String, storeName: String, storeCode: String, agentName: String,
        callStatus: String, callInTime: String?, callOutTime: String?, callSeconds: Double?, recordingURL: String,
        filePath: String?, fileSize: Int64?, sha256: String?, verdict: Verdict, verdictDetail: String,
        audioSeconds: Double?, frames: Int?, expectedFrames: Int?, sampleRate: Int?, channels: Int?,
        bitrateKbps: Double?, attempts: Int, downloadedAt: String?, verifiedAt: String?, apiJSON: String
    ) {
        self.orderID = orderID
        self.callIndex = callIndex
        self.callSID = callSID
        self.storeName = storeName
        self.storeCode = storeCode
        self.agentName = agentName
        self.callStatus = callStatus
        self.callInTime = callInTime
        self.callOutTime = callOutTime
        self.callSeconds = callSeconds
        self.recordingURL = recordingURL
        self.filePath = filePath
        self.fileSize = fileSize
        self.sha256 = sha256
        self.verdict = verdict
        self.verdictDetail = verdictDetail
        self.audioSeconds = audioSeconds
        self.frames = frames
        self.expectedFrames = expectedFrames
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrateKbps = bitrateKbps
        self.attempts = attempts
        self.downloadedAt = downloadedAt
        self.verifiedAt = verifiedAt
        self.apiJSON = apiJSON
    }

    /// A record for a call the API described, before anything is downloaded.
    public init(order: OrderID, callIndex: Int, info: CallInfo, verdict: Verdict, detail: String = "") {
        orderID = order.rawValue
        self.callIndex = callIndex
        callSID = info.callSID
        storeName = info.storeName
        storeCode = info.storeCode
        agentName = info.agentName
        callStatus = info.callStatus
        callInTime = Timestamp(iso8601: info.callInTime)?.iso8601
        callOutTime = Timestamp(iso8601: info.callOutTime)?.iso8601
        callSeconds = info.callSeconds
        recordingURL = info.recordingURL
        self.verdict = verdict
        verdictDetail = detail
        attempts = 0
        apiJSON = info.rawJSON
    }

    /// Copies a decoding result into the audio columns.
    public mutating func apply(_ report: AudioReport) {
        verdict = report.verdict
        verdictDetail = report.detail
        fileSize = report.fileSize
        sha256 = report.sha256
        // A file that is not audio has no duration, whatever false frames were found in it.
        audioSeconds = report.frames > 0 && report.verdict != .notAudio ? report.seconds : nil
        frames = report.frames
        expectedFrames = report.expectedFrames
        sampleRate = report.frames > 0 ? report.sampleRate : nil
        channels = report.frames > 0 ? report.channels : nil
        bitrateKbps = report.frames > 0 ? report.bitrateKbps : nil
        if report.verdict == .valid, let call = callSeconds, call > 0, report.seconds < call * 0.5 {
            verdictDetail = Self.shortRecordingNote(audio: report.seconds, call: call)
        }
    }

    /// The detail of a valid recording much shorter than its call (docs/contract.md §6).
    public static func shortRecordingNote(audio: Double, call: Double) -> String {
        let percent = Int((audio / call * 100).rounded())
        return "short recording: \(Int(audio.rounded())) s of audio for a \(Int(call.rounded())) s call (\(percent) %)"
    }

    /// True when the detail carries the short-recording note.
    public var isShortRecording: Bool { verdictDetail.hasPrefix("short recording:") }
}

extension CallRecord {
    /// The docs/contract.md §4 column names, in §4 order (everything but `api_json`).
    public static let columnNames: [String] = CodingKeys.allCases.map(\.rawValue).filter { $0 != "api_json" }
}
