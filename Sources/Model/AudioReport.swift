/// What decoding one MP3 file found: its exact length, its format, and a verdict.
public struct AudioReport: Sendable, Equatable {
    /// `valid`, `truncated`, `corrupt` or `not_audio`.
    public var verdict: Verdict
    /// One human line saying what was seen (`453 of 907 frames; last frame cut after 144 bytes`).
    public var detail: String
    /// Decoded PCM samples per channel, after gapless trimming.
    public var samples: Int64
    public var frames: Int
    /// The frame count a Xing/Info or VBRI header declares, when there is one.
    public var expectedFrames: Int?
    public var sampleRate: Int
    public var channels: Int
    /// Mean bitrate over the audio frames, in kbit/s.
    public var bitrateKbps: Double
    /// Bytes of the file that were read.
    public var fileSize: Int64
    /// Hex sha256 of those bytes.
    public var sha256: String
    /// Silence, peak, clipping and loudness of the decoded audio; nil when there was none.
    public var metrics: AudioMetrics?

    public init(
        verdict: Verdict, detail: String, samples: Int64, frames: Int, expectedFrames: Int?,
        sampleRate: Int, channels: Int, bitrateKbps: Double, fileSize: Int64, sha256: String,
        metrics: AudioMetrics? = nil
    ) {
        self.verdict = verdict
        self.detail = detail
        self.samples = samples
        self.frames = frames
        self.expectedFrames = expectedFrames
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitrateKbps = bitrateKbps
        self.fileSize = fileSize
        self.sha256 = sha256
        self.metrics = metrics
    }

    /// Exact decoded duration: samples ÷ rate.
    public var seconds: Double { sampleRate > 0 ? Double(samples) / Double(sampleRate) : 0 }
}
