import Model
@testable import Reports
import Testing

@Suite struct CSVTests {
    /// Integers are written digit by digit into the line; every edge reads as Swift prints it.
    @Test(arguments: [0, 7, -1, 10, 1_234_567, Int64.max, Int64.min, -9_000_000_000])
    func integersAreWrittenAsTheirDecimalDigits(_ number: Int64) {
        var bytes: [UInt8] = []
        CSVWriter.appendDecimal(number, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == String(number))
    }

    let writer = CSVWriter()

    @Test func quotingFollowsRFC4180() {
        #expect(writer.cell("plain") == "plain")
        #expect(writer.cell("Jet's, Inc") == "\"Jet's, Inc\"")
        #expect(writer.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(writer.cell("two\nlines") == "\"two\nlines\"")
        #expect(writer.cell("Zoë Müller") == "Zoë Müller")
    }

    @Test(arguments: ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
    func formulaLikeCellsAreGuarded(_ text: String) throws {
        #expect(try #require(rfc4180Field(writer.cell(text))) == "'" + text)
        #expect(try #require(rfc4180Field(CSVWriter(raw: true).cell(text))) == text, "--raw keeps the cell as it is")
    }

    /// What a spreadsheet reads from one RFC 4180 field (written here, not by the writer under
    /// test): quoted, with `""` for a quote inside, or bare without quote, comma, CR or LF.
    /// nil when the field is malformed.
    func rfc4180Field(_ field: String) -> String? {
        guard field.hasPrefix("\"") else {
            return field.unicodeScalars.contains { [0x22, 0x2C, 0x0D, 0x0A].contains($0.value) } ? nil : field
        }
        guard field.count >= 2, field.hasSuffix("\"") else { return nil }
        let inner = String(field.dropFirst().dropLast())
        let value = inner.replacing("\"\"", with: "")
        return value.contains("\"") ? nil : inner.replacing("\"\"", with: "\"")
    }

    @Test func headerAndLineUseCRLFAndSpecColumns() throws {
        var record = CallRecord(order: try OrderID("E8ZQCJ"), callIndex: 1, info: CallInfo(storeName: "=cmd"), verdict: .valid)
        record.audioSeconds = 252.35
        let csv = CSVWriter(columns: ["order_id", "store_name", "audio_seconds", "frames"])
        #expect(csv.header == "order_id,store_name,audio_seconds,frames\r\n")
        #expect(csv.line(record) == "E8ZQCJ,'=cmd,252.350,\r\n")
    }
}

@Suite struct JSONLinesTests {
    @Test func numbersNullsAndEscapes() throws {
        var record = CallRecord(order: try OrderID("E8ZQCJ"), callIndex: 2, info: CallInfo(agentName: "A \"B\"\n"), verdict: .valid)
        record.fileSize = 42
        let line = JSONLinesWriter(columns: ["order_id", "call_index", "agent_name", "file_size", "sha256"]).line(record)
        #expect(line == "{\"order_id\":\"E8ZQCJ\",\"call_index\":2,\"agent_name\":\"A \\\"B\\\"\\n\",\"file_size\":42,\"sha256\":null}\n")
    }
}

@Suite struct ColumnTests {
    @Test func unknownColumnsAreNamed() throws {
        #expect(throws: ReportError.unknownColumn("colour")) { try Columns.parse("order_id,colour") }
        #expect(try Columns.parse(nil) == CallRecord.columnNames)
        #expect(try Columns.parse("verdict, order_id") == ["verdict", "order_id"])
    }

    @Test func tableFitsTheWidthAndCutsStoreNames() throws {
        let record = CallRecord(
            order: try OrderID("E8ZQCJ"), callIndex: 1,
            info: CallInfo(storeName: String(repeating: "Very Long Store Name ", count: 10), agentName: "Jorina Blanche", callInTime: "2025-02-20T22:52:34.000Z"),
            verdict: .valid
        )
        let text = TableWriter(width: 80).render([record])
        for line in text.split(separator: "\n") { #expect(line.count <= 80) }
        #expect(text.contains("…"))
        #expect(text.contains("2025-02-20 22:52"))
    }
}

@Suite struct TerminalTextTests {
    /// A name from the API cannot drive the terminal: escape sequences (ESC, C1 CSI, BEL) are
    /// replaced, line breaks become spaces, and ordinary text is left alone.
    @Test func controlCharactersNeverReachTheTerminal() throws {
        #expect(TerminalText.safe("Zoë Müller, Jet's") == "Zoë Müller, Jet's")
        #expect(TerminalText.safe("a\u{1B}[2Jb\u{9B}31m\u{07}") == "a\u{FFFD}[2Jb\u{FFFD}31m\u{FFFD}")
        #expect(TerminalText.safe("two\nlines\tand\rmore") == "two lines and more")
        var record = CallRecord(order: try OrderID("ESC001"), callIndex: 1, info: CallInfo(storeName: "\u{1B}]0;pwned\u{07}Store\nB"), verdict: .valid)
        record.agentName = "Ann\u{1B}[31m"
        let table = TableWriter(columns: ["order_id", "store_name", "agent_name"]).render([record])
        #expect(!table.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" })
        #expect(table.split(separator: "\n").count == 2)
    }
}

@Suite struct TransferEstimateTests {
    /// A slow recording that still needs 25 s while every other call is done: the estimate
    /// counts its bytes, not the finished calls.
    @Test func aSlowLastRecordingIsStillCounted() {
        var estimate = TransferEstimate()
        estimate.finishedCalls = 29
        estimate.finishedBytes = 29 * 400_000
        estimate.inFlight = [(bytes: 1_000_000, total: 11_000_000)]
        // 12.6 MB received in 31.5 s is 400 KB/s; 10 MB are left.
        let left = estimate.secondsLeft(elapsed: 31.5)
        #expect(left.map { abs($0 - 25) < 0.01 } == true, "\(String(describing: left))")
        #expect(TransferEstimate.clock(left) == "0:25")
    }

    @Test func callsNotStartedCountAtTheMeanSize() throws {
        var estimate = TransferEstimate()
        estimate.finishedCalls = 2
        estimate.finishedBytes = 2_000_000
        estimate.callsNotStarted = 3
        // 1 MB/s, three more calls of 1 MB each.
        let left = try #require(estimate.secondsLeft(elapsed: 2))
        #expect(abs(left - 3) < 0.001)
    }

    @Test func nothingToGoOnGivesNoEstimate() {
        var estimate = TransferEstimate()
        #expect(estimate.secondsLeft(elapsed: 5) == nil)
        estimate.inFlight = [(bytes: 500, total: nil)]
        #expect(estimate.secondsLeft(elapsed: 5) == nil)
        #expect(TransferEstimate.clock(nil) == "--:--")
        #expect(TransferEstimate.clock(61) == "1:01")
    }
}

@Suite struct JSONStyleUnitTests {
    @Test func valuesFollowTheConvention() {
        #expect(JSONStyle.value(.real(11.879006508)) == "11.879")
        #expect(JSONStyle.value(.real(.nan)) == "null")
        #expect(JSONStyle.value(.null) == "null")
        #expect(JSONStyle.object([("not_valid", .integer(3)), ("group", .text("a\"b"))]) == "{\"not_valid\":3,\"group\":\"a\\\"b\"}")
        #expect(JSONStyle.array([]) == "[]\n")
        #expect(JSONStyle.array(["{}", "{}"]) == "[\n{},\n{}\n]\n")
        #expect(11.879506.roundedToMilliseconds == 11.88)
    }
}

@Suite struct TextTableTests {
    @Test func numbersAlignRightAndTheShrinkableColumnIsCut() {
        let table = TextTable(headers: ["STORE", "CALLS"], rightAligned: [1], shrinkable: [0], width: 20)
        let text = table.render([[String(repeating: "x", count: 30), "7"], ["short", "1234"]])
        let lines = text.split(separator: "\n")
        #expect(lines.allSatisfy { $0.count <= 20 })
        #expect(lines[1].hasSuffix("     7") && lines[1].contains("…"))
        #expect(lines[2].hasPrefix("short ") && lines[2].hasSuffix("1234"))
    }
}
