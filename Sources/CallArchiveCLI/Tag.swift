import ArgumentParser
import Catalog
import Foundation
import Model

extension CallArchive {
    /// `tag ORDER[-N]… +refund -followup --note TEXT`: marks calls for later (docs/query.md,
    /// "Tags and notes"). Tags and notes live in their own table: no refetch, import or verify
    /// touches them.
    struct Tag: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "tag",
            abstract: "Add (+name) or remove (-name) tags and add a note on calls.",
            discussion: """
                ORDER tags every call of the order, ORDER-N its N-th call. \(AnnotationChange.tagRule); \
                capitals are lowered. A note is one line; each --note adds one.
                """
        )

        @Option(help: ArgumentHelp("A note to add to each call (one line).", valueName: "text"))
        var note: String?

        @OptionGroup var archive: ArchiveOptions

        @Argument(parsing: .allUnrecognized, help: ArgumentHelp("Calls (ORDER or ORDER-N), then +tag to add and -tag to remove.", valueName: "call|+tag|-tag"))
        var items: [String] = []

        /// The calls named, and the change asked for.
        func parsed() throws -> (calls: [String], change: AnnotationChange) {
            var calls: [String] = [], add: [String] = [], remove: [String] = []
            for item in items {
                if item.hasPrefix("+") { add.append(String(item.dropFirst())) }
                else if item.hasPrefix("-") || item.hasPrefix("^") { remove.append(String(item.dropFirst())) }
                else { calls.append(item) }
            }
            guard !calls.isEmpty else { throw ValidationError("name at least one call: ORDER or ORDER-N") }
            for call in calls {
                do { _ = try OrderID(call) } catch { throw ValidationError("\(error)") }
            }
            do {
                let change = try AnnotationChange(add: add, remove: remove, note: note)
                guard !change.add.isEmpty || !change.remove.isEmpty || change.note != nil else {
                    throw ValidationError("nothing to change: give +tag, -tag or --note")
                }
                return (calls, change)
            } catch let error as AnnotationError {
                throw ValidationError(error.description)
            }
        }

        func validate() throws { _ = try parsed() }

        func execute() async throws {
            let (calls, change) = try parsed()
            let catalog = try await archive.location.openExisting()
            var missing = 0
            for call in calls {
                let targets = try await Self.resolve(call, in: catalog)
                if targets.isEmpty {
                    Console.err("\(call): no such call in the catalog\n")
                    missing += 1
                }
                for target in targets {
                    guard let annotation = try await catalog.annotate(order: target.orderID, callIndex: target.callIndex, change) else { continue }
                    Console.out(Self.line(target, annotation))
                }
            }
            if missing > 0 { throw ExitCode(1) }
        }

        /// `ORDER`: every call of the order; else `ORDER-N`: its N-th call.
        static func resolve(_ name: String, in catalog: any Catalog) async throws -> [CallRecord] {
            let whole = try await catalog.records(order: name)
            if !whole.isEmpty { return whole }
            guard let dash = name.lastIndex(of: "-"), let index = Int(name[name.index(after: dash)...]), index >= 1 else { return [] }
            return try await catalog.record(order: String(name[..<dash]), callIndex: index).map { [$0] } ?? []
        }

        /// `E8ZQCJ-1  followup refund  2 notes`.
        static func line(_ call: CallRecord, _ annotation: Annotation) -> String {
            let tags = annotation.tags.isEmpty ? "(no tags)" : annotation.tags.joined(separator: " ")
            let notes = annotation.notes.count == 1 ? "1 note" : "\(annotation.notes.count) notes"
            return "\(call.orderID)-\(call.callIndex)\t\(tags)\t\(notes)\n"
        }
    }
}
