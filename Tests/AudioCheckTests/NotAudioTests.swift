import AudioCheck
import Foundation
import Model
import Testing
import TestSupport

/// Files that are not MP3 at all: other containers and codecs saved as `.mp3`, and random bytes,
/// which are full of false frame syncs. Each must be `not_audio` with a detail saying what it is.
@Suite struct NotAudioTests {
    @Test(arguments: [
        ("m4a-renamed.mp3", "an MP4/M4A (AAC) file, not MP3 (14609 bytes)"),
        ("aac-adts-renamed.mp3", "an ADTS AAC file, not MP3 (13995 bytes)"),
        ("3gp-renamed.mp3", "a 3GP (AMR) file, not MP3 (11901 bytes)"),
        ("amr-renamed.mp3", "an AMR file, not MP3 (9993 bytes)"),
        ("ogg-vorbis-renamed.mp3", "an Ogg (Vorbis) file, not MP3 (12656 bytes)"),
        ("opus-renamed.mp3", "an Ogg (Opus) file, not MP3 (12863 bytes)"),
        ("flac-renamed.mp3", "a FLAC file, not MP3 (74777 bytes)"),
        ("wav-renamed.mp3", "a WAV (PCM) file, not MP3 (104182 bytes)"),
        ("wav-ulaw-renamed.mp3", "a WAV (µ-law) file, not MP3 (52128 bytes)"),
    ])
    func otherFormatIsNamed(_ name: String, _ detail: String) throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict == .notAudio, "\(name): \(report.detail)")
        #expect(report.detail == detail)
        #expect(report.frames == 0 && report.samples == 0 && report.seconds == 0, "\(name): \(report)")
        #expect(report.fileSize == Int64(try #require(Fixtures.expected[name]?["bytes"]))!)
    }

    @Test(arguments: ["random-1k.mp3", "random-16k.mp3", "random-64k.mp3"])
    func randomFixtureHasNoMPEGAudioStream(_ name: String) throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict == .notAudio, "\(name): \(report.detail)")
        #expect(report.detail.hasPrefix("no MPEG audio stream"), "\(name): \(report.detail)")
        #expect(report.frames == 0 && report.samples == 0, "\(name): \(report)")
    }

    /// Larger random files hold hundreds of false syncs, some of which libmpg123 decodes.
    @Test(arguments: [(1, 256 << 10), (2, 1 << 20), (3, 1 << 20), (4, 1 << 20), (5, 4 << 20)])
    func randomBytesAreNotAudio(_ seed: UInt64, _ size: Int) throws {
        let path = try Self.randomFile(seed: seed, size: size)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .notAudio, "seed \(seed): \(report.detail)")
        #expect(report.detail.hasPrefix("no MPEG audio stream in \(size) bytes"), "seed \(seed): \(report.detail)")
        #expect(report.frames == 0 && report.samples == 0)
    }

    /// Three frames and nothing else: too short for a chain, but every byte is a frame.
    @Test func shortMP3IsStillValid() throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path("short-3-frames.mp3"))
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.detail == "3 frames decoded")
        #expect(report.samples == Int64(try #require(Fixtures.expected["short-3-frames.mp3"]?["decoded_samples"]))!)
    }

    /// One frame alone: valid, and the detail says "1 frame", not "1 frames".
    @Test func oneFrameIsSingular() throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("short-3-frames.mp3")))
        let path = temporaryPath(".mp3")
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.detail == "1 frame decoded")
    }

    /// A real MP3 behind 4000 random bytes (false syncs included, more than libmpg123's 1024-byte
    /// resync limit) is a damaged MP3, not something else.
    @Test func mp3BehindRandomJunkIsCorrupt() throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path("junk-prefix-4k.mp3"))
        #expect(report.verdict == .corrupt, "\(report.detail)")
        #expect(report.detail == "153 frames; 4000 bytes of junk before the first frame")
        #expect(report.samples == Int64(try #require(Fixtures.expected["junk-prefix-4k.mp3"]?["decoded_samples"]))!)
    }

    /// The sniffer reads untrusted bytes: every cut of every format's head, and an MP4 whose track
    /// list sits in the tail, must give an answer without reading past the bytes it was given.
    @Test func sniffingSurvivesCutHeads() throws {
        for name in ["m4a-renamed.mp3", "3gp-renamed.mp3", "aac-adts-renamed.mp3", "amr-renamed.mp3", "ogg-vorbis-renamed.mp3",
                     "opus-renamed.mp3", "flac-renamed.mp3", "wav-renamed.mp3", "wav-ulaw-renamed.mp3"] {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
            for count in 0...min(bytes.count, 600) {
                _ = ForeignFormat.name(head: Array(bytes.prefix(count)), tail: Array(bytes.suffix(count)), at: 0)
            }
            #expect(ForeignFormat.name(head: Array(bytes.prefix(64)), tail: [], at: 0) != nil, "\(name)")
        }
        let m4a = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("m4a-renamed.mp3"))))
        #expect(ForeignFormat.name(head: Array(m4a.prefix(32)), tail: m4a, at: 0) == "an MP4/M4A (AAC) file")
        #expect(ForeignFormat.name(head: Array(m4a.prefix(32)), tail: [], at: 0) == "an MP4/M4A file")
        #expect(ForeignFormat.name(head: Array("#!AMX".utf8), tail: [], at: 0) == nil)
        // ADTS syncs (0xFFF1, 0xFFF9: layer bits 00) are never MPEG audio frame headers.
        #expect(FrameHeader(0xFF, 0xF1, 0x50, 0x80) == nil && FrameHeader(0xFF, 0xF9, 0x50, 0x80) == nil)
        // An ADTS header (length 9) not followed by another one is not ADTS.
        let adts: [UInt8] = [0xFF, 0xF1, 0x50, 0x80, 0x01, 0x20, 0xFC]
        #expect(ForeignFormat.name(head: adts + [UInt8](repeating: 0, count: 13), tail: [], at: 0) == nil)
        #expect(ForeignFormat.name(head: adts + [0, 0] + adts + [0, 0], tail: [], at: 0) == "an ADTS AAC file")
    }

    /// An ID3v2 tag before the other format's bytes does not hide it.
    @Test func formatAfterID3TagIsNamed() throws {
        let id3 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("id3-only.mp3"))))
        let adts = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("aac-adts-renamed.mp3"))))
        let path = temporaryPath(".mp3")
        try Data(id3 + adts).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .notAudio)
        #expect(report.detail == "an ADTS AAC file, not MP3 (\(id3.count + adts.count) bytes)")
    }

    /// Random junk around and inside a real MP3 is damage to the MP3, however many false frames
    /// it holds: measured, with every real frame still found.
    @Test(arguments: [
        ("before", 512 << 10, "153 frames; 524288 bytes of junk before the first frame"),
        ("inside", 3000, "153 frames; "),
    ])
    func randomJunkInAnMP3IsDamage(_ place: String, _ count: Int, _ detail: String) throws {
        let mp3 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("notag-8k.mp3"))))
        let junkPath = try Self.randomFile(seed: 7, size: count)
        defer { try? FileManager.default.removeItem(atPath: junkPath) }
        let junk = [UInt8](try Data(contentsOf: URL(fileURLWithPath: junkPath)))
        let middle = 288 * 76  // a frame boundary: notag-8k's frames are 288 bytes
        let bytes = place == "before" ? junk + mp3 : Array(mp3[..<middle]) + junk + Array(mp3[middle...])
        let path = temporaryPath("-junk-\(place).mp3")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .corrupt, "\(report.detail)")
        #expect(report.detail.hasPrefix(detail), "\(report.detail)")
        if place == "inside" { #expect(report.detail.contains("skipping 3000 bytes"), "\(report.detail)") }
    }

    /// A stream must begin within 1 MiB of the tags; past that a file is hashed, not searched.
    @Test func streamBeyondTheSearchLimitIsNotSearchedFor() throws {
        let mp3 = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path("notag-8k.mp3"))))
        let junkPath = try Self.randomFile(seed: 8, size: 3 << 20)
        defer { try? FileManager.default.removeItem(atPath: junkPath) }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: junkPath))) + mp3
        let path = temporaryPath(".mp3")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .notAudio)
        #expect(report.detail == "no MPEG audio stream in \(bytes.count) bytes")
        #expect(report.fileSize == Int64(bytes.count))
    }

    /// Random bytes from a seeded SplitMix64, so every run tests the same files.
    static func randomFile(seed: UInt64, size: Int) throws -> String {
        var state = seed &* 0x9E37_79B9_7F4A_7C15
        var bytes = [UInt8]()
        bytes.reserveCapacity(size + 8)
        while bytes.count < size {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z.littleEndian) { bytes.append(contentsOf: $0) }
        }
        let path = temporaryPath("-not-audio-\(seed).mp3")
        try Data(bytes.prefix(size)).write(to: URL(fileURLWithPath: path))
        return path
    }
}
