import Model
import Testing

@Suite struct OrderIDTests {
    @Test(arguments: ["E8ZQCJ", "a", "A_b-9", String(repeating: "x", count: 64)])
    func acceptsValidIDs(_ text: String) throws {
        #expect(try OrderID(text).rawValue == text)
    }

    @Test(arguments: ["", "../x", "a/b", "-abc", "_abc", "a b", "a\u{0}b", "tab\tid", String(repeating: "x", count: 65), "é123", "a.b"])
    func rejectsHostileIDs(_ text: String) {
        #expect(throws: ModelError.invalidOrderID(text)) { try OrderID(text) }
    }

    @Test func messageNamesTheIDAndEscapesControlCharacters() {
        let message = ModelError.invalidOrderID("bad\nid").description
        #expect(message.contains("\"bad\\u{a}id\""))
    }

    @Test func fileNamesFollowTheSeed() throws {
        let order = try OrderID("E8ZQCJ")
        #expect(order.fileName(callIndex: 1) == "E8ZQCJ.mp3")
        #expect(order.fileName(callIndex: 3) == "E8ZQCJ-3.mp3")
    }

    @Test(arguments: [
        ("E8ZQCJ.mp3", "E8ZQCJ", 1), ("E8ZQCJ-2.mp3", "E8ZQCJ", 2), ("E8ZQCJ-17.MP3", "E8ZQCJ", 17),
        ("A-B-3.mp3", "A-B", 3), ("ABC-1.mp3", "ABC-1", 1), ("ABC-0.mp3", "ABC-0", 1), ("ABC-02.mp3", "ABC-02", 1),
        ("ABC-999.mp3", "ABC", 999), ("INV-1000.mp3", "INV-1000", 1), ("ABC_2.mp3", "ABC_2", 1), ("7-2.mp3", "7", 2),
    ])
    func fileNamesReadBackAsTheirCall(_ name: String, _ order: String, _ index: Int) throws {
        let call = try #require(OrderID.call(fromFileName: name))
        #expect(call.order.rawValue == order && call.callIndex == index)
    }

    @Test(arguments: ["-2.mp3", ".mp3", "a b.mp3", "E8ZQCJ.wav", "E8ZQCJ", "../x.mp3", "E8ZQCJ.mp3.part"])
    func namesThatAreNoCallReadAsNothing(_ name: String) {
        #expect(OrderID.call(fromFileName: name) == nil)
    }

    @Test func everyFileNameTheArchiveWritesReadsBack() throws {
        for id in ["E8ZQCJ", "a", "A_b-9x", "ORDER-2024-x"] {
            for index in [1, 2, 3, 10, 999] {
                let call = try #require(OrderID.call(fromFileName: try OrderID(id).fileName(callIndex: index)))
                #expect(call.order.rawValue == id && call.callIndex == index)
            }
        }
    }

    @Test func anAmbiguousNameListsBothReadingsTheArchiveRuleFirst() {
        let readings = OrderID.calls(fromFileName: "ABC-2.mp3").map { "\($0.order)#\($0.callIndex)" }
        #expect(readings == ["ABC#2", "ABC-2#1"])
        #expect(OrderID.calls(fromFileName: "ABC.mp3").map { "\($0.order)#\($0.callIndex)" } == ["ABC#1"])
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2025-02-20T22:52:34.000Z", "2025-02-20T22:52:34.000Z"),
        ("2025-02-20T22:52:34Z", "2025-02-20T22:52:34.000Z"),
        ("2025-02-20T22:52:34.5Z", "2025-02-20T22:52:34.500Z"),
        ("2025-02-20T22:52:34.123456Z", "2025-02-20T22:52:34.123Z"),
        ("2025-02-20T17:52:34-05:00", "2025-02-20T22:52:34.000Z"),
        ("2025-02-21T00:52:34+0200", "2025-02-20T22:52:34.000Z"),
        ("2025-02-20 22:52:34", "2025-02-20T22:52:34.000Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ])
    func parsesAndWritesUTC(_ input: String, _ expected: String) throws {
        #expect(try #require(Timestamp(iso8601: input)).iso8601 == expected)
    }

    @Test(arguments: ["", "2025-02-30T00:00:00Z", "2025-13-01T00:00:00Z", "2025-02-20T25:00:00Z", "2025-02-20T22:52:34.Z", "2025-02-20T22:52:34Zjunk", "yesterday"])
    func rejectsMalformedTimes(_ input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }

    @Test func callSecondsIsOutMinusIn() {
        let info = CallInfo(callInTime: "2025-02-20T22:52:34.000Z", callOutTime: "2025-02-20T22:56:46.000Z")
        #expect(info.callSeconds == 252)
        #expect(CallInfo(callInTime: "2025-02-20T22:52:34.000Z").callSeconds == nil)
    }
}

@Suite struct StoreCodeTests {
    @Test(arguments: [
        ("MI-062 Jet's 15235 E Seven Mile 313-839-4800", "MI-062"),
        ("TX-1204 Marco's", "TX-1204"),
        ("Jet's Pizza MI-062", ""),
        ("MI062 Jet's", ""),
        ("", ""),
        ("313-839-4800", ""),
    ])
    func leadingCode(_ name: String, _ code: String) {
        #expect(StoreCode.leading(in: name) == code)
    }
}

@Suite struct CallRecordTests {
    static func report(seconds: Double) -> AudioReport {
        AudioReport(verdict: .valid, detail: "900 frames decoded", samples: Int64(seconds * 8000), frames: 900, expectedFrames: 900,
                    sampleRate: 8000, channels: 1, bitrateKbps: 32, fileSize: 1000, sha256: "ab")
    }

    @Test func shortRecordingStaysValidWithANote() throws {
        let info = CallInfo(callInTime: "2025-02-20T22:00:00Z", callOutTime: "2025-02-20T22:10:00Z")
        var record = CallRecord(order: try OrderID("A1"), callIndex: 1, info: info, verdict: .failed)
        record.apply(Self.report(seconds: 120))
        #expect(record.verdict == .valid)
        #expect(record.isShortRecording)
        #expect(record.verdictDetail == "short recording: 120 s of audio for a 600 s call (20 %)")
        record.apply(Self.report(seconds: 590))
        #expect(!record.isShortRecording)
        #expect(record.audioSeconds == 590)
    }

    /// Whatever frames the decoder found in it, a file that is not audio has no audio duration.
    @Test func notAudioStoresNoAudioSeconds() throws {
        var record = CallRecord(order: try OrderID("A1"), callIndex: 1, info: CallInfo(), verdict: .failed)
        var report = Self.report(seconds: 0.3)
        report.verdict = .notAudio
        report.detail = "no MPEG audio stream in 65536 bytes"
        record.apply(report)
        #expect(record.verdict == .notAudio)
        #expect(record.audioSeconds == nil)
        #expect(record.fileSize == 1000 && record.sha256 == "ab")
    }

    @Test func columnNamesAreSpecOrder() {
        #expect(CallRecord.columnNames == [
            "order_id", "call_index", "call_sid", "store_name", "store_code", "agent_name", "call_status", "call_in_time",
            "call_out_time", "call_seconds", "recording_url", "file_path", "file_size", "sha256", "verdict",
            "verdict_detail", "audio_seconds", "frames", "expected_frames", "sample_rate", "channels", "bitrate_kbps",
            "attempts", "downloaded_at", "verified_at",
            // docs/contract.md §10: the audio metrics, then tags and notes, appended.
            "silence_seconds", "longest_silence_seconds", "leading_silence_seconds", "peak_dbfs", "clipped_samples",
            "loudness_lufs", "tags", "notes",
        ])
    }
}
