import Model
import Reports
import Testing

@Suite struct CSVTests {
    let writer = CSVWriter()

    @Test func quotingFollowsRFC4180() {
        #expect(writer.cell("plain") == "plain")
        #expect(writer.cell("Jet's, Inc") == "\"Jet's, Inc\"")
        #expect(writer.cell("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(writer.cell("two\nlines") == "\"two\nlines\"")
        #expect(writer.cell("Zoë Müller") == "Zoë Müller")
    }

    @Test(arguments: ["=HYPERLINK(\"http://x\")", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
    func formulaLikeCellsAreGuarded(_ text: String) {
        #expect(writer.cell(text).hasPrefix("'") || writer.cell(text).hasPrefix("\"'"))
        #expect(CSVWriter(raw: true).cell(text).hasPrefix(String(text.prefix(1))) || CSVWriter(raw: true).cell(text).hasPrefix("\""))
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
