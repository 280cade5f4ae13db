/// What listening to a whole recording found (docs/contract.md §10, docs/verification.md
/// "Audio metrics"): silence, peak, clipping and loudness, measured in the decode that judges
/// the file.
public struct AudioMetrics: Sendable, Equatable {
    /// Total length of the silent stretches: ≥ 1.0 s whose 50 ms RMS windows all stay below −45 dBFS.
    public var silenceSeconds: Double
    /// The longest such stretch ("dead air"); 0 when there is none.
    public var longestSilenceSeconds: Double
    /// The silent stretch the recording starts with (a late pick-up); 0 when it starts with sound.
    public var leadingSilenceSeconds: Double
    /// Sample peak in dBFS (above 0 on decoder overshoot); nil when every sample is zero.
    public var peakDBFS: Double?
    /// Samples at or beyond ±0.99 of full scale, over all channels.
    public var clippedSamples: Int64
    /// Integrated loudness (ITU-R BS.1770 / EBU R128) in LUFS; nil when nothing passes the
    /// −70 LUFS gate (silence, or under 0.4 s of audio).
    public var loudnessLUFS: Double?

    public init(
        silenceSeconds: Double, longestSilenceSeconds: Double, leadingSilenceSeconds: Double,
        peakDBFS: Double?, clippedSamples: Int64, loudnessLUFS: Double?
    ) {
        self.silenceSeconds = silenceSeconds
        self.longestSilenceSeconds = longestSilenceSeconds
        self.leadingSilenceSeconds = leadingSilenceSeconds
        self.peakDBFS = peakDBFS
        self.clippedSamples = clippedSamples
        self.loudnessLUFS = loudnessLUFS
    }
}
