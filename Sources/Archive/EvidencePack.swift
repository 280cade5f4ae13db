import Crypto
import Foundation
import Model
import ZIPFoundation

/// An evidence pack (`export QUERY --zip FILE`, docs/reports.md "Evidence packs"): one zip with
/// `calls.csv` (the bytes `export` writes), the matching recordings under `recordings/`, and
/// `manifest.json`: each file's sha256, the query, the catalog and the time. A recording that
/// is missing, changed or not valid is listed with the reason, never silently left out.
///
/// The same catalog and files give the same bytes: entries in a fixed order with a fixed
/// date, and the manifest's time is the newest `verified_at` of the calls, not the clock.
public struct EvidencePack: Sendable {
    public let location: ArchiveLocation
    public let query: String
    public let catalog: String

    public init(location: ArchiveLocation, query: String, catalog: String) {
        self.location = location
        self.query = query
        self.catalog = catalog
    }

    /// What the pack holds: recordings packed and calls listed with a problem.
    public struct Summary: Sendable, Equatable {
        public var calls = 0
        public var recordings = 0
        /// Calls listed with a problem: no file, a file gone, changed or not valid.
        public var problems = 0
        /// Calls whose recording should be there but could not be packed.
        public var missing = 0
    }

    /// The date every entry carries: 1980-01-01 00:00 UTC, the first a zip can hold
    /// (ZIPFoundation writes zip times in UTC, so any time zone writes the same bytes).
    static let entryDate = Date(timeIntervalSince1970: 315_532_800)

    /// Writes the pack to `path`: to `path.part` first, renamed over `path` once whole. A
    /// `path` that exists and is not a regular file (a device, a FIFO, a folder, a link) is refused.
    public func write(to path: String, csv: [UInt8], records: [CallRecord]) throws(EvidencePackError) -> Summary {
        try Self.refuseSpecial(path)
        let part = path + ".part"
        unlink(part)
        do {
            let summary = try pack(into: URL(fileURLWithPath: part), csv: csv, records: records)
            // On disk before it takes the final name, and the name on disk after: a crash never
            // leaves a short pack under `path` (as `commit` does for recordings).
            try Self.sync(part, flags: O_RDONLY)
            guard rename(part, path) == 0 else { throw EvidencePackError.cannotWrite(path: path, reason: String(cString: strerror(errno))) }
            try? Self.sync((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent, flags: O_RDONLY | O_DIRECTORY)
            return summary
        } catch {
            unlink(part)
            if let error = error as? EvidencePackError { throw error }
            throw .cannotWrite(path: path, reason: "\(error)")
        }
    }

    private static func sync(_ path: String, flags: Int32) throws(EvidencePackError) {
        let descriptor = open(path, flags | O_CLOEXEC)
        guard descriptor >= 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw .cannotWrite(path: path, reason: String(cString: strerror(errno))) }
    }

    private func pack(into url: URL, csv: [UInt8], records: [CallRecord]) throws -> Summary {
        let archive = try Archive(url: url, accessMode: .create)
        var files: [String] = [], problems: [String] = [], summary = Summary()
        summary.calls = records.count
        try add(Data(csv), as: "calls.csv", to: archive)
        files.append(Self.fileObject(path: "calls.csv", sha256: Self.sha256(Data(csv)), bytes: Int64(csv.count), record: nil))
        for record in records {
            guard let relative = record.filePath else {
                problems.append(Self.problem(record, "no file: \(record.verdict.rawValue)\(record.verdictDetail.isEmpty ? "" : ", " + record.verdictDetail)"))
                continue
            }
            let source = location.path(relative)
            guard let handle = FileHandle(forReadingAtPath: source) else {
                problems.append(Self.problem(record, "missing: \(relative) cannot be read (\(String(cString: strerror(errno))))"))
                summary.missing += 1
                continue
            }
            defer { try? handle.close() }
            let (sha, bytes) = try Self.sha256(of: handle)
            let name = "recordings/" + relative
            try add(name, size: bytes, to: archive) { position, size in
                try handle.seek(toOffset: UInt64(position))
                return try handle.read(upToCount: size) ?? Data()
            }
            summary.recordings += 1
            files.append(Self.fileObject(path: name, sha256: sha, bytes: bytes, record: record))
            if let known = record.sha256, known != sha {
                problems.append(Self.problem(record, "changed: sha256 is \(sha.prefix(12))…, catalogued \(known.prefix(12))…"))
            } else if record.verdict != .valid {
                problems.append(Self.problem(record, "\(record.verdict.rawValue): \(record.verdictDetail)"))
            }
        }
        summary.problems = problems.count
        let manifest = manifest(files: files, problems: problems, records: records)
        try add(Data(manifest.utf8), as: "manifest.json", to: archive)
        return summary
    }

    private func add(_ data: Data, as name: String, to archive: Archive) throws {
        try add(name, size: Int64(data.count), to: archive) { position, size in
            data.subdata(in: Int(position)..<(Int(position) + size))
        }
    }

    private func add(_ name: String, size: Int64, to archive: Archive, _ provider: (Int64, Int) throws -> Data) throws {
        // MP3 does not shrink; text does.
        let method: CompressionMethod = name.hasSuffix(".mp3") ? .none : .deflate
        try archive.addEntry(
            with: name, type: .file, uncompressedSize: size, modificationDate: Self.entryDate,
            permissions: 0o644, compressionMethod: method, provider: provider
        )
    }

    /// The manifest, keys in a fixed order, one file or problem a line.
    func manifest(files: [String], problems: [String], records: [CallRecord]) -> String {
        let time = records.compactMap(\.verifiedAt).max()
        func list(_ items: [String]) -> String { items.isEmpty ? "[]" : "[\n    " + items.joined(separator: ",\n    ") + "\n  ]" }
        return "{\n  \"query\": \(JSONText.quoted(query)),\n  \"catalog\": \(JSONText.quoted(catalog)),\n"
            + "  \"time\": \(time.map(JSONText.quoted) ?? "null"),\n  \"calls\": \(records.count),\n"
            + "  \"files\": \(list(files)),\n  \"problems\": \(list(problems))\n}\n"
    }

    static func fileObject(path: String, sha256: String, bytes: Int64, record: CallRecord?) -> String {
        var members = ["\"path\": \(JSONText.quoted(path))", "\"sha256\": \"\(sha256)\"", "\"bytes\": \(bytes)"]
        if let record {
            members += ["\"order_id\": \(JSONText.quoted(record.orderID))", "\"call_index\": \(record.callIndex)", "\"verdict\": \"\(record.verdict.rawValue)\""]
        }
        return "{" + members.joined(separator: ", ") + "}"
    }

    static func problem(_ record: CallRecord, _ reason: String) -> String {
        "{\"order_id\": \(JSONText.quoted(record.orderID)), \"call_index\": \(record.callIndex), "
            + "\"file_path\": \(record.filePath.map(JSONText.quoted) ?? "null"), \"reason\": \(JSONText.quoted(reason))}"
    }

    static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The file's sha256 and size, read in 1 MiB chunks.
    static func sha256(of handle: FileHandle) throws -> (String, Int64) {
        var hasher = SHA256(), bytes: Int64 = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            bytes += Int64(chunk.count)
        }
        return (hasher.finalize().map { String(format: "%02x", $0) }.joined(), bytes)
    }

    /// Refuses to replace anything but a regular file (or nothing).
    static func refuseSpecial(_ path: String) throws(EvidencePackError) {
        var info = stat()
        guard lstat(path, &info) == 0 else { return }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw .notARegularFile(path: path)
        }
    }
}

/// Why an evidence pack was not written.
public enum EvidencePackError: Error, Sendable, CustomStringConvertible {
    /// FILE exists and is a device, FIFO, folder or link: a pack replaces only a regular file.
    case notARegularFile(path: String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case let .notARegularFile(path): "\(path) exists and is not a regular file; --zip replaces only a file"
        case let .cannotWrite(path, reason): "cannot write the evidence pack \(path): \(reason)"
        }
    }
}
