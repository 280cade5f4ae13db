import Catalog
import Foundation
import Simulator
import Testing
import TestSupport

/// `sync --from-csv` and `sync --watch`: order ids from an export's named column, only what is new fetched.
@Suite(.serialized) struct SyncTests {
    static func metadataRequests(_ simulator: Simulator) -> [String] {
        simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") }.map { String($0.dropFirst(7)) }.sorted()
    }

    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func aSpreadsheetExportIsReadByItsHeaderAndOnlyNewOrdersAreFetched() async throws {
        let archive = try await fetchedArchive(["SYN001"])
        let csv = try temporaryDirectory() + "/orders.csv"
        // A BOM, `;` separators, the id column third, quoted cells holding `;`, quotes and a line break.
        try Self.write("\u{FEFF}\"Customer\";\"Note\";Order_ID;Total\r\n"
            + "\"Smith; J\";\"says \"\"hi\"\"\";SYN001;12,50\r\n"
            + "Jones;\"two\r\nlines\";\"SYN002\";3\r\n"
            + "\r\n"
            + "Ng;;SYN003;4\r\n"
            + "Bad;;not an id!;5\r\n", to: csv)
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["sync", "--from-csv", csv, "--column", "order_id", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 1, "an unreadable id is skipped and reported: exit 1\n\(result.stderr)")
        // Line 7: the quoted cell with a line break makes row 3 two lines long.
        #expect(result.stderr.contains("orders.csv:7: invalid order id \"not an id!\"; skipped"), "\(result.stderr)")
        #expect(result.stderr.contains("3 orders listed, 1 already valid, 2 new (SYN002, SYN003)"), "\(result.stderr)")
        #expect(Self.metadataRequests(simulator) == ["SYN002", "SYN003"])
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        for id in ["SYN002", "SYN003"] {
            let rows = try await catalog.records(order: id)
            #expect(!rows.isEmpty && rows.allSatisfy { $0.verdict == .valid }, "\(id)")
        }
    }

    @Test func stdinWithTabsAndAMissingColumn() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let tabbed = try await simulator.withRunning { url in
            try await CLI.run(["sync", "--from-csv", "-", "--column", "Order", "--archive", archive, "--api-url", url],
                              stdin: "date\tOrder\n2025-02-20\tSYN010\n")
        }
        #expect(tabbed.status == 0, "\(tabbed.stderr)")
        #expect(Self.metadataRequests(simulator) == ["SYN010"])
        let missing = try await CLI.run(["sync", "--from-csv", "-", "--column", "order_id", "--archive", archive],
                                        stdin: "date,Order\n2025-02-20,SYN011\n")
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("stdin has no column \"order_id\"; its header has \"date\", \"Order\""), "\(missing.stderr)")
    }

    @Test func dryRunSyncRequestsNothing() async throws {
        let archive = try await fetchedArchive(["SYN020"])
        let before = snapshot(archive)
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["sync", "--dry-run", "--from-csv", "-", "--archive", archive, "--api-url", url], stdin: "order_id\nSYN020\nSYN021\n")
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("would skip SYN020: 1 call already valid") || result.stdout.contains("would skip SYN020: "))
        #expect(result.stdout.contains("would fetch SYN021: not catalogued"))
        #expect(simulator.requests.isEmpty)
        #expect(snapshot(archive) == before)
    }

    /// A file still being written is not read; a whole one is fetched and moved to done/;
    /// Ctrl-C ends the watch with 130.
    @Test func watchTakesSettledFilesOnlyAndStopsOnCtrlC() async throws {
        let archive = try temporaryDirectory()
        let drop = try temporaryDirectory()
        let simulator = Simulator()
        try await simulator.withRunning { url in
            let process = try launch(["sync", "--watch", drop, "--settle", "1.5", "--archive", archive, "--api-url", url])
            // Half a file: the header and one id, the rest written 0.7 s later.
            let path = drop + "/today.csv"
            try Self.write("order_id,store\nSYN030,a\n", to: path)
            try await Task.sleep(for: .milliseconds(700))
            let handle = try #require(FileHandle(forWritingAtPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("SYN031,b\nSYN032,c\n".utf8))
            try handle.close()
            let deadline = ContinuousClock.now + .seconds(60)
            while !FileManager.default.fileExists(atPath: drop + "/done/today.csv"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(FileManager.default.fileExists(atPath: drop + "/done/today.csv"))
            #expect(!FileManager.default.fileExists(atPath: path))
            #expect(Self.metadataRequests(simulator) == ["SYN030", "SYN031", "SYN032"])
            // A second export naming one known and one new order: only the new one is asked for.
            simulator.resetLog()
            try Self.write("order_id\nSYN031\nSYN033\n", to: drop + "/.tomorrow.csv")
            try FileManager.default.moveItem(atPath: drop + "/.tomorrow.csv", toPath: drop + "/tomorrow.csv")
            while !FileManager.default.fileExists(atPath: drop + "/done/tomorrow.csv"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(Self.metadataRequests(simulator) == ["SYN033"])
            process.interrupt()
            await CLI.waitForExit(process)
            #expect(process.terminationStatus == 130)
        }
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        for id in ["SYN030", "SYN031", "SYN032", "SYN033"] {
            #expect(try await catalog.records(order: id).allSatisfy { $0.verdict == .valid }, "\(id)")
        }
    }
}
