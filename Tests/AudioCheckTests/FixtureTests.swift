import AudioCheck
import Foundation
import Model
import Testing

/// The fixtures and the numbers the fixture script recorded from the mpg123 command line.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Rows of expected.tsv by file name.
    static let expected: [String: [String: String]] = {
        let text = (try? String(contentsOf: directory.appendingPathComponent("expected.tsv"), encoding: .utf8)) ?? ""
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) }
        guard let header = lines.first else { return [:] }
        var rows: [String: [String: String]] = [:]
        for line in lines.dropFirst() {
            rows[line[0]] = Dictionary(uniqueKeysWithValues: zip(header, line))
        }
        return rows
    }()
}

@Suite struct GoodFixtureTests {
    @Test(arguments: [
        "tel-8k-cbr32.mp3", "wb-16k-vbr.mp3", "cd-44k-stereo-128.mp3", "notag-8k.mp3", "lavf-22k-cbr32.mp3",
        "lame-delay-1200-pad-200.mp3", "id3v1-tagged.mp3", "apev2-tagged.mp3", "ape-id3v1-tagged.mp3",
    ])
    func decodesToMpg123sExactSampleCount(_ name: String) throws {
        let row = try #require(Fixtures.expected[name])
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.samples == Int64(row["decoded_samples"]!))
        #expect(report.sampleRate == Int(row["sample_rate"]!))
        #expect(report.channels == Int(row["channels"]!))
        #expect(report.frames == Int(row["frames"]!))
        #expect(report.fileSize == Int64(row["bytes"]!))
        if row["tag_frames"] != "-" { #expect(report.expectedFrames == Int(row["tag_frames"]!)) }
        // The duration mpg123's own command line gives: its decoded samples ÷ its output rate.
        let mpg123Seconds = try Double(#require(Double(row["decoded_samples"]!))) / Double(#require(Double(row["decoded_rate"]!)))
        #expect(abs(report.seconds - mpg123Seconds) < 1e-9, "\(report.seconds) s, mpg123 \(mpg123Seconds) s")
    }

    @Test func hashIsTheFilesSHA256() throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path("tel-8k-cbr32.mp3"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [Fixtures.path("tel-8k-cbr32.mp3")]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(output.hasPrefix(report.sha256))
        #expect(report.sha256.count == 64)
    }

    @Test func contentLengthShortfallIsTruncated() throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path("notag-8k.mp3"), expectedSize: 50_000)
        #expect(report.verdict == .truncated)
        #expect(report.detail.contains("44064 of 50000 bytes"))
    }

    @Test func unreadableFileIsAnError() {
        #expect(throws: AudioCheckError.self) { try AudioChecker().check(fileAt: "/nonexistent/x.mp3") }
    }
}

@Suite struct BrokenFixtureTests {
    @Test(arguments: [
        ("html.mp3", Verdict.notAudio, "HTML"),
        ("empty.mp3", .notAudio, "empty file"),
        ("id3-only.mp3", .notAudio, "ID3 tag and no audio"),
        ("wav-renamed.mp3", .notAudio, "WAV"),
        ("mp2-renamed.mp3", .notAudio, "layer 2"),
        ("trunc-boundary.mp3", .truncated, "76 of 153 frames"),
        ("trunc-midframe.mp3", .truncated, "last frame cut after 100 bytes"),
        ("garbage-over-header.mp3", .corrupt, "resync"),
        ("splice-5000.mp3", .corrupt, "resync"),
        ("bitflip-headers.mp3", .corrupt, "resync"),
        ("html-appended.mp3", .corrupt, "after the last frame"),
        ("junk-prefix-500.mp3", .corrupt, "500 bytes of junk before the first frame"),
        ("two-rates.mp3", .corrupt, "format changes 1 time mid-stream"),
        ("twice.mp3", .corrupt, "307 frames where the header declares 153"),
        ("xing-overclaims.mp3", .corrupt, "the header declares 478 frames but all 81324 declared bytes hold 378"),
        ("vbri-overclaims.mp3", .corrupt, "the header declares 478 frames but all 81324 declared bytes hold"),
    ])
    func verdictAndDetail(_ name: String, _ verdict: Verdict, _ detail: String) throws {
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict == verdict, "\(name): \(report.detail)")
        #expect(detail.isEmpty || report.detail.contains(detail), "\(name): \(report.detail)")
    }
}

@Suite struct DamagedDurationTests {
    /// Damaged files with one stream format decode to exactly what mpg123 outputs for them too.
    @Test(arguments: [
        "trunc-boundary.mp3", "trunc-midframe.mp3", "html-appended.mp3", "junk-prefix-500.mp3", "twice.mp3", "xing-overclaims.mp3",
        "vbri-overclaims.mp3",
    ])
    func samplesMatchMpg123(_ name: String) throws {
        let row = try #require(Fixtures.expected[name])
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict != .valid)
        #expect(report.samples == Int64(row["decoded_samples"]!), "\(name)")
    }
}

/// The headers and tags around the audio (issue 17): LAME tags from other encoders and settings,
/// a VBRI header, and ID3v1/APEv2 tags after the last frame. The figures come from the fixture
/// script's own parser (expected.tsv) and from mpg123.
@Suite struct ContainerFixtureTests {
    static func bytes(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: Fixtures.path(name))))
    }

    /// Delay and padding are read from LAME tags whose encoder is "LAME" or "Lavf", after an
    /// ID3v2 tag or not; mpg123's trimmed sample count checks the arithmetic (GoodFixtureTests).
    @Test(arguments: ["tel-8k-cbr32.mp3", "wb-16k-vbr.mp3", "cd-44k-stereo-128.mp3", "lavf-22k-cbr32.mp3", "lame-delay-1200-pad-200.mp3"])
    func lameTagIsRead(_ name: String) throws {
        let row = try #require(Fixtures.expected[name])
        let container = Container(head: Array(try Self.bytes(name).prefix(64 * 1024)))
        #expect(container.id3v2Size == Int(row["id3v2_bytes"]!))
        #expect(container.tagName == row["tag"])
        #expect(container.declaredFrames == Int(row["tag_frames"]!))
        #expect(container.encoderDelay == Int(row["enc_delay"]!), "\(name)")
        #expect(container.encoderPadding == Int(row["enc_padding"]!), "\(name)")
    }

    @Test func vbriHeaderIsRead() throws {
        let row = try #require(Fixtures.expected["vbri-16k.mp3"])
        let container = Container(head: Array(try Self.bytes("vbri-16k.mp3").prefix(64 * 1024)))
        #expect(container.tagName == "VBRI")
        #expect(container.declaredFrames == Int(row["tag_frames"]!))
        #expect(container.declaredBytes == Int(row["bytes"]!))
        #expect(container.infoFrame?.offset == 0)
        #expect(container.encoderDelay == nil && container.encoderPadding == nil)
    }

    /// A VBRI file whose frame count and byte count are right. libmpg123 1.31 does not know VBRI
    /// and decodes the VBRI frame as a (silent) audio frame: the duration agrees with mpg123's
    /// (the silence included), and the frame count leaves the VBRI frame out, as the walker does.
    @Test func correctVBRIFileIsValid() throws {
        let row = try #require(Fixtures.expected["vbri-16k.mp3"])
        let report = try AudioChecker().check(fileAt: Fixtures.path("vbri-16k.mp3"))
        #expect(report.samples == Int64(row["decoded_samples"]!))
        #expect(report.expectedFrames == Int(row["tag_frames"]!))
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.frames == Int(row["frames"]!))
        #expect(report.detail == "\(row["frames"]!) of \(row["tag_frames"]!) frames decoded")
    }

    /// The same file, its VBRI count including the VBRI frame itself (379; mp3val wants this
    /// count, ffmpeg reads a count as audio frames only). Any fix of the case above keeps it valid.
    @Test func selfCountedVBRIFileIsValid() throws {
        let row = try #require(Fixtures.expected["vbri-16k-self-counted.mp3"])
        let report = try AudioChecker().check(fileAt: Fixtures.path("vbri-16k-self-counted.mp3"))
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.expectedFrames == Int(row["tag_frames"]!))
        #expect(report.samples == Int64(row["decoded_samples"]!))
    }

    /// ID3v1, APEv2 and APEv2 + ID3v1 after the last frame: the same report as the untagged file
    /// but for the size and hash, and the tag bytes are exactly the trailing tags.
    @Test(arguments: ["id3v1-tagged.mp3", "apev2-tagged.mp3", "ape-id3v1-tagged.mp3"])
    func trailingTagsAreNotJunk(_ name: String) throws {
        let untagged = try AudioChecker().check(fileAt: Fixtures.path("tel-8k-cbr32.mp3"))
        let report = try AudioChecker().check(fileAt: Fixtures.path(name))
        #expect(report.verdict == .valid && report.detail == untagged.detail, "\(name): \(report.detail)")
        #expect(report.frames == untagged.frames && report.samples == untagged.samples)
        #expect(report.expectedFrames == untagged.expectedFrames)
        let original = try Self.bytes("tel-8k-cbr32.mp3")
        let bytes = try Self.bytes(name)
        #expect(Array(bytes.prefix(original.count)) == original && bytes.count > original.count)
        #expect(Container.trailingTagLength(tail: Array(bytes.suffix(64 * 1024))) == bytes.count - original.count, "\(name)")
    }
}
