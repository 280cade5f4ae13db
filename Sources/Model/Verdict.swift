/// What the archive knows about one call's recording (docs/contract.md §6).
public enum Verdict: String, Sendable, Codable, CaseIterable {
    /// Decodes end to end, no errors or resyncs, frames match any declared count.
    case valid
    /// Fewer frames or bytes than declared, or the last frame is cut.
    case truncated
    /// Decoder errors or resyncs inside the stream.
    case corrupt
    /// No MPEG audio at all.
    case notAudio = "not_audio"
    /// The API listed no recording for the call.
    case noRecording = "no_recording"
    /// Catalogued, but the file is gone.
    case missing
    /// The file's sha256 no longer matches the catalog.
    case changed
    /// Could not be downloaded; the detail says why.
    case failed
    /// Deleted under a retention rule (`prune`); the row stays, the detail says when and why.
    case pruned

    /// Verdicts for which a file was judged bad by decoding; such files go to quarantine.
    public var isDamagedAudio: Bool { self == .truncated || self == .corrupt || self == .notAudio }
}
