import Foundation
import Model

/// Order ids from arguments and `--input FILE|-`: one per line, blank lines and `#` comments
/// skipped, a CSV's first column accepted (with or without a header), duplicates kept once.
enum OrderInput {
    static func collect(arguments: [String], input: String?) throws -> [OrderID] {
        var texts = arguments
        if let input {
            let data: Data
            if input == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let contents = FileManager.default.contents(atPath: input) else {
                    throw Console.fail("cannot read --input \(input): \(String(cString: strerror(errno)))", code: 64)
                }
                data = contents
            }
            texts += ids(in: String(decoding: data, as: UTF8.self))
        }
        var seen = Set<String>()
        var orders: [OrderID] = []
        for text in texts where seen.insert(text).inserted {
            orders.append(try OrderID(text))
        }
        return orders
    }

    static func ids(in text: String) -> [String] {
        var ids: [String] = []
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var cell = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? line
            cell = cell.trimmingCharacters(in: .whitespaces)
            if cell.count >= 2, cell.hasPrefix("\""), cell.hasSuffix("\"") { cell = String(cell.dropFirst().dropLast()) }
            if number == 0 || ids.isEmpty, ["order_id", "order id", "orderid", "order", "order_number"].contains(cell.lowercased()) {
                continue
            }
            ids.append(cell)
        }
        return ids
    }
}
