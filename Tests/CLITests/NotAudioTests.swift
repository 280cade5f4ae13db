import Catalog
import Foundation
import Model
import Testing
import TestSupport

/// Importing files that are not MP3 (another codec renamed `.mp3`, random bytes): each lands in
/// quarantine as `not_audio`, named for what it is, with no audio duration in its row.
@Suite struct NotAudioImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AudioCheckTests/Fixtures")

    @Test(arguments: [
        ("m4a-renamed.mp3", "an MP4/M4A (AAC) file, not MP3 (14609 bytes)"),
        ("aac-adts-renamed.mp3", "an ADTS AAC file, not MP3 (13995 bytes)"),
        ("random-64k.mp3", "no MPEG audio stream in 65536 bytes"),
    ])
    func importQuarantinesItWithoutAudioSeconds(_ fixture: String, _ detail: String) async throws {
        let source = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixtures.appendingPathComponent(fixture).path, toPath: source + "/NOTMP3.mp3")
        let archive = try temporaryDirectory() + "/archive"
        let result = try await CLI.run(["import", "--offline", "--archive", archive, source + "/NOTMP3.mp3"])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not_audio"), "\(result.stderr)")
        #expect(result.stderr.contains(detail), "\(result.stderr)")
        let row = try #require(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: "NOTMP3", callIndex: 1))
        #expect(row.verdict == .notAudio)
        #expect(row.verdictDetail.hasPrefix(detail), "\(row.verdictDetail)")
        #expect(row.filePath == "quarantine/NOTMP3.mp3")
        #expect(row.audioSeconds == nil && row.frames == 0 && row.sampleRate == nil)
        #expect(FileManager.default.fileExists(atPath: archive + "/quarantine/NOTMP3.mp3"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/NOTMP3.mp3"))
        let seconds = try await CLI.run(["search", "--archive", archive, "--fields", "order_id,verdict,audio_seconds", "--format", "csv"])
        #expect(seconds.stdout.contains("NOTMP3,not_audio,\r\n"), "\(seconds.stdout)")
    }
}
