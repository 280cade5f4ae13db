/// One row of the catalog: one call, everything the archive knows about it (docs/contract.md §4).
///
/// Property names are the Swift spellings of the §4 column names; `CallRecord.columns`
/// (CallColumns.swift) maps each column to its property, in §4 order.
public struct CallRecord: Sendable, Equatable {
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
    /// Audio metrics (docs/contract.md §10): nil until a decode measured them.
    public var silenceSeconds: Double?
    public var longestSilenceSeconds: Double?
    public var leadingSilenceSeconds: Double?
    public var peakDBFS: Double?
    public var clippedSamples: Int64?
    public var loudnessLUFS: Double?
    /// The call's tags, one space apart, and its notes, one a line (the `annotations` table).
    public var tags: String
    public var notes: String
    /// The API's call object as JSON (not a §4 column; kept for audits).
    public var apiJSON: String

    /// An empty row: what a catalog row is read into.
    init() {
        orderID = ""
        callIndex = 1
        callSID = ""
        storeName = ""
        storeCode = ""
        agentName = ""
        callStatus = ""
        recordingURL = ""
        verdict = .failed
        verdictDetail = ""
        attempts = 0
        apiJSON = "{}"
        tags = ""
        notes = ""
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
        tags = ""
        notes = ""
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
        record(report.frames > 0 && report.verdict != .notAudio ? report.metrics : nil)
        if isShortRecording, let audio = audioSeconds, let call = callSeconds {
            verdictDetail = Self.shortRecordingNote(audio: audio, call: call)
        }
    }

    /// The audio metrics in the columns; nil when the recording was never measured
    /// (`silence_seconds` is set by every decode that measured).
    public var metrics: AudioMetrics? {
        guard let silenceSeconds, let longestSilenceSeconds, let leadingSilenceSeconds, let clippedSamples else { return nil }
        return AudioMetrics(
            silenceSeconds: silenceSeconds, longestSilenceSeconds: longestSilenceSeconds, leadingSilenceSeconds: leadingSilenceSeconds,
            peakDBFS: peakDBFS, clippedSamples: clippedSamples, loudnessLUFS: loudnessLUFS
        )
    }

    /// Copies audio metrics into their columns (all nil when there are none).
    public mutating func record(_ metrics: AudioMetrics?) {
        silenceSeconds = metrics?.silenceSeconds
        longestSilenceSeconds = metrics?.longestSilenceSeconds
        leadingSilenceSeconds = metrics?.leadingSilenceSeconds
        peakDBFS = metrics?.peakDBFS
        clippedSamples = metrics?.clippedSamples
        loudnessLUFS = metrics?.loudnessLUFS
    }

    /// The detail of a valid recording much shorter than its call (docs/contract.md §6).
    public static func shortRecordingNote(audio: Double, call: Double) -> String {
        let percent = Int((audio / call * 100).rounded())
        return "short recording: \(Int(audio.rounded())) s of audio for a \(Int(call.rounded())) s call (\(percent) %)"
    }

    /// A valid recording under half its call's length (docs/contract.md §6). `stats`
    /// counts them with the same predicate in SQL (`PortableSQL.shortRecording`).
    public var isShortRecording: Bool {
        guard verdict == .valid, let call = callSeconds, call > 0, let audio = audioSeconds else { return false }
        return audio < call * 0.5
    }
}
