import AudioCheck
import Foundation
import Model
import Testing
import TestSupport

@Suite struct AudioMetricsTests {
    func metrics(_ path: String) throws -> AudioMetrics {
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .valid, "\(report.detail)")
        return try #require(report.metrics)
    }

    @Test func silenceIsMeasuredAsTheFixtureWasBuilt() throws {
        // 3 s of silence, a tone, 20 s of dead air, a tone: 8 kHz mono at 32 kbps.
        let mp3 = try AudioTools.mp3(["silence 3", "sine 440 5 0.5", "silence 20", "sine 440 5 0.5"], rate: 8000, channels: 1, kbps: 32)
        let found = try metrics(mp3)
        #expect(abs(found.leadingSilenceSeconds - 3) <= 0.1, "\(found)")
        #expect(abs(found.longestSilenceSeconds - 20) <= 0.1, "\(found)")
        #expect(abs(found.silenceSeconds - 23) <= 0.2, "\(found)")
        #expect(found.clippedSamples == 0)
        let peak = try #require(found.peakDBFS), loudness = try #require(found.loudnessLUFS)
        #expect(abs(peak - (try AudioTools.soxPeak(mp3))) <= 0.5, "peak \(peak)")
        #expect(abs(loudness - (try AudioTools.ffmpegLoudness(mp3))) <= 1, "loudness \(loudness)")
    }

    @Test func stereoSilenceAndLoudnessAt44kHz() throws {
        // A quiet tone (−20 dBFS), 12 s of silence, the tone again, 1.2 s of silence at the end.
        let mp3 = try AudioTools.mp3(["sine 1000 4 0.1", "silence 12", "sine 1000 4 0.1", "silence 1.2"], rate: 44100, channels: 2, kbps: 128)
        let found = try metrics(mp3)
        #expect(found.leadingSilenceSeconds == 0, "\(found)")
        #expect(abs(found.longestSilenceSeconds - 12) <= 0.1, "\(found)")
        #expect(abs(found.silenceSeconds - 13.2) <= 0.2, "\(found)")
        let peak = try #require(found.peakDBFS), loudness = try #require(found.loudnessLUFS)
        #expect(abs(peak - (try AudioTools.soxPeak(mp3))) <= 0.5, "peak \(peak)")
        #expect(abs(peak - -20) <= 0.5, "peak \(peak)")
        #expect(abs(loudness - (try AudioTools.ffmpegLoudness(mp3))) <= 1, "loudness \(loudness)")
    }

    @Test func aClippedToneCountsItsClippedSamplesAndOvershoots() throws {
        // A 1 kHz sine driven 20 dB past full scale: a square wave, whose decode overshoots.
        let mp3 = try AudioTools.mp3(["clipped 1000 5 20"], rate: 44100, channels: 2, kbps: 128)
        let found = try metrics(mp3)
        let samples = try AudioTools.floatSamples(mp3)
        let clipped = samples.filter { abs($0) >= 0.99 }.count
        #expect(clipped > 10_000)
        // mpg123's command line decodes gapless (no delay and padding), through the same library.
        #expect(abs(Double(found.clippedSamples - Int64(clipped))) <= Double(clipped) * 0.01, "\(found.clippedSamples) vs \(clipped)")
        let peak = try #require(found.peakDBFS)
        let expected = 20 * log10(Double(samples.map { abs($0) }.max() ?? 0))
        #expect(peak > 0, "an overshoot above full scale: \(peak)")
        #expect(abs(peak - expected) <= 0.05, "peak \(peak), mpg123 \(expected)")
        #expect(found.silenceSeconds == 0 && found.longestSilenceSeconds == 0)
        #expect(abs(try #require(found.loudnessLUFS) - (try AudioTools.ffmpegLoudness(mp3))) <= 1)
    }

    /// Speech: the simulator's voice (8 kHz mono) and the fixtures' telephone and CD dialogs.
    @Test(arguments: [
        repositoryRoot.appendingPathComponent("Sources/Simulator/Voice/voice.mp3").path,
        Fixtures.path("tel-8k-cbr32.mp3"), Fixtures.path("cd-44k-stereo-128.mp3"),
    ])
    func speechAgreesWithSoxAndFFmpeg(_ path: String) throws {
        let found = try metrics(path)
        let peak = try #require(found.peakDBFS), loudness = try #require(found.loudnessLUFS)
        #expect(abs(peak - (try AudioTools.soxPeak(path))) <= 0.5, "peak \(peak)")
        #expect(abs(loudness - (try AudioTools.ffmpegLoudness(path))) <= 1, "loudness \(loudness)")
        #expect(loudness < -5 && loudness > -50)
        #expect(found.clippedSamples == Int64(try AudioTools.floatSamples(path).filter { abs($0) >= 0.99 }.count))
    }

    @Test func digitalSilenceHasNoPeakAndNoLoudness() throws {
        // sox without dither (-D) writes zeros, which lame keeps as zeros.
        let mp3 = try AudioTools.mp3(["silence 3"], rate: 8000, channels: 1, kbps: 32)
        let found = try metrics(mp3)
        #expect(found.peakDBFS == nil && found.loudnessLUFS == nil, "\(found)")
        // All of it is silence, the encoder's padding at the end included.
        #expect(abs(found.leadingSilenceSeconds - 3) <= 0.2 && found.leadingSilenceSeconds == found.silenceSeconds, "\(found)")
    }

    @Test func notAudioHasNoMetrics() throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path("wav-renamed.mp3"))
        #expect(report.verdict == .notAudio)
        #expect(report.metrics == nil)
    }
}
