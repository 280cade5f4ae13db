import AudioCheck
import Catalog
import Foundation
import Model
import Telephony
import Transport

/// What happened to one path given to `import`.
public enum ImportEvent: Sendable {
    case imported(CallRecord, displayPath: String)
    case skipped(path: String, reason: String)
    case metadataUnavailable(order: OrderID, reason: String)
}

/// Adopts existing MP3 files (SPEC §3 `import`): copy into the archive (via `.part`), decode,
/// catalogue with the API's metadata unless offline.
public struct ImportPipeline: Sendable {
    public let location: ArchiveLocation
    public let catalog: Catalog
    /// Nil: `--offline`.
    public let api: APIConfiguration?
    public let retry: RetryPolicy

    public init(location: ArchiveLocation, catalog: Catalog, api: APIConfiguration?, retry: RetryPolicy) {
        self.location = location
        self.catalog = catalog
        self.api = api
        self.retry = retry
    }

    /// Imports every `.mp3` under `paths` (files, or directories searched recursively).
    /// Returns the number of files catalogued.
    public func run(paths: [String], events: @Sendable (ImportEvent) -> Void) async throws -> Int {
        let files = try Self.audioFiles(in: paths, events: events)
        guard let api else { return try await adopt(files, client: nil, events: events) }
        return try await Transport.withClient(connectTimeout: api.connectTimeout, readTimeout: api.readTimeout) { http in
            try await adopt(files, client: try APIClient(configuration: api, http: http), events: events)
        }
    }

    private func adopt(_ files: [String], client: APIClient?, events: @Sendable (ImportEvent) -> Void) async throws -> Int {
        let checker = AudioChecker()
        var imported = 0
        for file in files {
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            guard let order = try? OrderID(stem) else {
                events(.skipped(path: file, reason: "the file name is not an order id"))
                continue
            }
            var info = CallInfo()
            if let client {
                do {
                    info = try await Retrier(policy: retry).run(host: client.origin.description) { _ in
                        try await client.calls(for: order)
                    }.first ?? CallInfo()
                } catch {
                    events(.metadataUnavailable(order: order, reason: "\(error)"))
                }
            }
            let name = order.fileName(callIndex: 1)
            let destination = location.path(name)
            let sameFile = Self.isSameFile(file, destination)
            if !sameFile, access(destination, F_OK) == 0 {
                events(.skipped(path: file, reason: "\(destination) already exists"))
                continue
            }
            let checked = sameFile ? destination : destination + ".part"
            if !sameFile {
                do {
                    try? FileManager.default.removeItem(atPath: checked)
                    try FileManager.default.copyItem(atPath: file, toPath: checked)
                } catch {
                    events(.skipped(path: file, reason: "cannot copy: \(error.localizedDescription)"))
                    continue
                }
            }
            let report = try checker.check(fileAt: checked)
            var record = CallRecord(order: order, callIndex: 1, info: info, verdict: report.verdict)
            record.apply(report)
            record.verifiedAt = Timestamp(millisecondsSince1970: Int64(Date().timeIntervalSince1970 * 1000)).iso8601
            record.downloadedAt = record.verifiedAt
            var relative = name
            if report.verdict != .valid {
                relative = ArchiveLocation.quarantineFolder + "/" + name
                try FileManager.default.createDirectory(atPath: location.path(ArchiveLocation.quarantineFolder), withIntermediateDirectories: true)
            }
            if checked != location.path(relative) {
                guard rename(checked, location.path(relative)) == 0 else {
                    throw ArchiveError.notWritable(path: location.path(relative), reason: String(cString: strerror(errno)))
                }
            }
            record.filePath = relative
            try catalog.save(record)
            imported += 1
            events(.imported(record, displayPath: location.path(relative)))
        }
        return imported
    }

    static func audioFiles(in paths: [String], events: (ImportEvent) -> Void) throws -> [String] {
        var files: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                events(.skipped(path: path, reason: "no such file or directory"))
                continue
            }
            if !isDirectory.boolValue {
                files.append(path)
                continue
            }
            let enumerator = FileManager.default.enumerator(atPath: path)
            var found: [String] = []
            while let relative = enumerator?.nextObject() as? String {
                if relative.lowercased().hasSuffix(".mp3") { found.append((path as NSString).appendingPathComponent(relative)) }
            }
            files += found.sorted()
        }
        return files
    }

    static func isSameFile(_ a: String, _ b: String) -> Bool {
        var first = stat(), second = stat()
        guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }
}
