import Foundation
import Model

/// Order ids from arguments and `--input FILE|-`: one per line, blank lines and `#` comments
/// skipped, a CSV's first column accepted (with or without a header such as `order_id`), a
/// UTF-8 byte-order mark ignored, duplicates kept once.
///
/// An invalid id among the arguments is a usage error. An invalid line of an input file is
/// reported as `FILE:LINE` and skipped, so one bad line does not stop a list of thousands;
/// the run then ends with exit 1.
struct OrderInput {
    var orders: [OrderID] = []
    /// `FILE:LINE: invalid order id "…"` for each line that was skipped.
    var problems: [String] = []

    /// Words a header cell may hold, compared without case, spaces, `_`, `-`, `#` or `.`.
    static let headerWords: Set<String> = [
        "id", "order", "orderid", "ordernumber", "orderno", "ordernum", "ordercode", "orderref", "orderreference",
    ]
    /// How much of a bad line a message shows.
    static let shownCharacters = 80

    static func collect(arguments: [String], input: String?) throws -> OrderInput {
        var result = OrderInput()
        var seen = Set<String>()
        for text in arguments where seen.insert(text).inserted {
            result.orders.append(try OrderID(text))
        }
        guard let input else { return result }
        let name = input == "-" ? "stdin" : input
        for (line, text) in ids(in: try read(input)) where seen.insert(text).inserted {
            if let order = try? OrderID(text) {
                result.orders.append(order)
            } else {
                result.problems.append("\(name):\(line): invalid order id \(shown(text)); skipped")
            }
        }
        return result
    }

    /// The bytes of `--input`: a regular file, or stdin for `-`.
    static func read(_ input: String) throws -> String {
        if input == "-" { return decode(FileHandle.standardInput.readDataToEndOfFile()) }
        var info = stat()
        guard stat(input, &info) == 0 else {
            throw Failure("cannot read --input \(input): \(String(cString: strerror(errno)))", code: 64)
        }
        if info.st_mode & S_IFMT == S_IFDIR {
            throw Failure("cannot read --input \(input): it is a directory; give a file of order ids", code: 64)
        }
        guard let handle = FileHandle(forReadingAtPath: input) else {
            throw Failure("cannot read --input \(input): \(String(cString: strerror(errno)))", code: 64)
        }
        defer { try? handle.close() }
        do {
            return decode(try handle.readToEnd() ?? Data())
        } catch {
            throw Failure("cannot read --input \(input): \(error.localizedDescription)", code: 64)
        }
    }

    private static func decode(_ data: Data) -> String {
        let text = String(decoding: data, as: UTF8.self)
        return text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
    }

    /// The candidate id of each line that holds one, with its line number (from 1).
    static func ids(in text: String) -> [(line: Int, id: String)] {
        var ids: [(Int, String)] = []
        var sawData = false
        for (number, rawLine) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var cell = line.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? line
            cell = cell.trimmingCharacters(in: .whitespaces)
            if cell.count >= 2, cell.hasPrefix("\""), cell.hasSuffix("\"") { cell = String(cell.dropFirst().dropLast()) }
            defer { sawData = true }
            if !sawData, isHeader(cell) { continue }
            ids.append((number + 1, cell))
        }
        return ids
    }

    static func isHeader(_ cell: String) -> Bool {
        headerWords.contains(String(cell.lowercased().filter { !" _-#.".contains($0) }))
    }

    /// A bad line as a message shows it: quoted, control characters escaped, cut to 80 characters.
    static func shown(_ text: String) -> String {
        let cut = text.count > shownCharacters ? String(text.prefix(shownCharacters)) + "…" : text
        return ModelError.quoted(cut)
    }
}
