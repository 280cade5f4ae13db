/// One simulated recording: an Info frame, then the voice's frames repeated to the length of
/// the call. Any byte range is computed on demand, so hour-long recordings cost no memory.
public struct Recording: Sendable {
    public let frames: Int
    let voice: Voice
    let header: [UInt8]

    public init(seconds: Double) {
        voice = Voice.shared
        frames = max(1, Int((seconds * Double(voice.sampleRate) / Double(voice.samplesPerFrame)).rounded()))
        header = voice.infoFrame(frames: frames, totalBytes: (frames + 1) * voice.frameLength)
    }

    public var byteCount: Int { header.count + frames * voice.frameLength }

    /// Exact duration as a decoder reports it: frames × 576 ÷ 8000 (no encoder delay recorded).
    public var seconds: Double { Double(frames * voice.samplesPerFrame) / Double(voice.sampleRate) }

    /// Bytes `range` of the recording.
    public func bytes(_ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var offset = range.lowerBound
        while offset < range.upperBound {
            if offset < header.count {
                let end = min(header.count, range.upperBound)
                out += header[offset..<end]
                offset = end
            } else {
                let inVoice = (offset - header.count) % voice.bytes.count
                let end = min(range.upperBound, offset + voice.bytes.count - inVoice)
                out += voice.bytes[inVoice..<(inVoice + end - offset)]
                offset = end
            }
        }
        return out
    }

    /// The whole recording (tests and benchmarks; the server streams ranges instead).
    public var allBytes: [UInt8] { bytes(0..<byteCount) }
}
