import CEBUR128
import Foundation
import Model

/// Listens to the decoded float samples, frame by frame as the checker decodes them, and sums
/// them up as `AudioMetrics` (docs/verification.md, "Audio metrics"): silent stretches from
/// 50 ms RMS windows, the sample peak, clipped samples, and integrated loudness through
/// libebur128. One pass, no allocation per frame. Owns its libebur128 state.
final class AudioMeter {
    /// A window is silent when its RMS is below −45 dBFS: mean square below 10^(−45/10).
    static let silentMeanSquare: Float = 3.162_277_7e-5
    /// Samples at or beyond this magnitude count as clipped.
    static let clipLevel: Float = 0.99
    static let windowSeconds = 0.05
    static let minimumSilenceSeconds = 1.0

    let rate: Int
    let channels: Int
    private var loudness: UnsafeMutablePointer<ebur128_state>?
    private let windowFrames: Int
    private let minimumSilenceFrames: Int
    private var windowFilled = 0
    private var windowSum: Float = 0
    private var peak: Float = 0
    private var clipped: Int64 = 0
    /// Sample frames of the silent stretch under way, and the totals of those that ended.
    private var run = 0
    private var silence = 0
    private var longest = 0
    private var leading = 0
    private var heardSound = false
    /// Sample frames still to leave out at the start: the encoder's and decoder's delay, which
    /// a gapless decoder (mpg123) does not output either.
    private var skip: Int

    init(rate: Int, channels: Int, skipping skip: Int = 0) {
        self.skip = max(0, skip)
        self.rate = rate
        self.channels = max(1, channels)
        windowFrames = max(1, Int((Double(rate) * Self.windowSeconds).rounded()))
        minimumSilenceFrames = Int((Double(rate) * Self.minimumSilenceSeconds).rounded())
        // The histogram mode keeps a fixed table instead of a list that grows every 100 ms.
        let mode = Int32(EBUR128_MODE_I.rawValue | EBUR128_MODE_HISTOGRAM.rawValue)
        loudness = ebur128_init(UInt32(self.channels), UInt(max(1, rate)), mode)
    }

    deinit {
        if loudness != nil { ebur128_destroy(&loudness) }
    }

    /// Adds `frames` sample frames of interleaved float audio.
    func add(_ samples: UnsafePointer<Float>, frames: Int) {
        if skip > 0 {
            let skipped = min(skip, frames)
            skip -= skipped
            if skipped < frames { add(samples + skipped * channels, frames: frames - skipped) }
            return
        }
        guard frames > 0 else { return }
        if let loudness { _ = ebur128_add_frames_float(loudness, samples, frames) }
        var done = 0
        while done < frames {
            let take = min(frames - done, windowFrames - windowFilled)
            windowSum += measure(samples + done * channels, count: take * channels)
            windowFilled += take
            done += take
            if windowFilled == windowFrames { closeWindow() }
        }
    }

    /// Sums the squares of `count` samples, raising the peak and counting clipped samples on
    /// the way: eight lanes at a time.
    private func measure(_ start: UnsafePointer<Float>, count: Int) -> Float {
        var squares = SIMD8<Float>(), highs = SIMD8<Float>(), clips = SIMD8<Int32>()
        let ones = SIMD8<Int32>(repeating: 1), raw = UnsafeRawPointer(start)
        var index = 0
        while index + 8 <= count {
            let lanes = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<Float>.self)
            // `replacing(with:where:)` rather than `pointwiseMax`, which the compiler left
            // generic and unspecialized: 14 % of a verify's time.
            let magnitude = lanes.replacing(with: -lanes, where: lanes .< 0)
            squares += lanes * lanes
            highs.replace(with: magnitude, where: magnitude .> highs)
            clips &+= SIMD8<Int32>().replacing(with: ones, where: magnitude .>= Self.clipLevel)
            index += 8
        }
        var sum = squares.sum(), high = max(peak, highs.max()), clipCount = Int64(clips.wrappedSum())
        while index < count {
            let value = start[index], magnitude = abs(value)
            sum += value * value
            high = max(high, magnitude)
            if magnitude >= Self.clipLevel { clipCount += 1 }
            index += 1
        }
        peak = high
        clipped += clipCount
        return sum
    }

    private func closeWindow() {
        if windowSum < Self.silentMeanSquare * Float(windowFilled * channels) {
            run += windowFilled
        } else {
            endRun()
            heardSound = true
        }
        windowSum = 0
        windowFilled = 0
    }

    /// Ends the silent stretch under way, counting it when it lasted long enough.
    private func endRun() {
        if run >= minimumSilenceFrames {
            silence += run
            longest = max(longest, run)
            if !heardSound { leading = run }
        }
        run = 0
    }

    /// The metrics of everything added; the meter is spent afterwards.
    func finish() -> AudioMetrics {
        if windowFilled > 0 { closeWindow() }
        endRun()
        var integrated = -Double.infinity
        if let loudness, ebur128_loudness_global(loudness, &integrated) != Int32(EBUR128_SUCCESS.rawValue) {
            integrated = -.infinity
        }
        let seconds = { (frames: Int) in Double(frames) / Double(max(1, self.rate)) }
        return AudioMetrics(
            silenceSeconds: seconds(silence), longestSilenceSeconds: seconds(longest), leadingSilenceSeconds: seconds(leading),
            peakDBFS: peak > 0 ? 20 * log10(Double(peak)) : nil, clippedSamples: clipped,
            loudnessLUFS: integrated.isFinite ? integrated : nil
        )
    }
}

@available(*, unavailable)
extension AudioMeter: Sendable {}
