import Catalog
import Foundation
import HTTPTypes
import Hummingbird
import Model

/// `/calls/ORDER/N.mp3`: the recording the catalog names for the call, resolved inside the
/// archive (a symbolic link leading out of it is refused), with byte ranges so a browser can
/// seek, and the sha256 as its `ETag`. No part of the URL reaches the filesystem: it only
/// picks a catalog row, whose `file_path` does.
struct AudioRoute: Sendable {
    let catalog: any Catalog
    let archiveDirectory: String
    let files = FileIO()

    func respond(_ lookup: CallLookup, request: Request, context: BasicRequestContext) async throws(WebError) -> Response {
        let record = try await lookup.record(in: catalog)
        guard let relative = record.filePath, let path = Self.resolve(relative, inside: archiveDirectory),
              let size = Self.regularFileSize(path), size > 0
        else { throw .notFound }
        var headers: HTTPFields = [.contentType: "audio/mpeg", .acceptRanges: "bytes", .cacheControl: "private, max-age=3600"]
        if let sha = record.sha256, sha.count == 64, sha.allSatisfy(\.isHexDigit) {
            headers[.eTag] = "\"\(sha)\""
            if let match = request.headers[.ifNoneMatch], match.contains(sha) {
                return Response(status: .notModified, headers: headers)
            }
        }
        var range = 0...(size - 1)
        var status = HTTPResponse.Status.ok
        if let header = request.headers[.range] {
            switch ByteRange.parse(header, size: size) {
            case .whole: break
            case .unsatisfiable:
                headers[.contentRange] = "bytes */\(size)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            case .part(let part):
                range = part
                status = .partialContent
                headers[.contentRange] = "bytes \(part.lowerBound)-\(part.upperBound)/\(size)"
            }
        }
        headers[.contentLength] = String(range.count)
        do {
            let body = try await files.loadFile(path: path, range: range, context: context)
            return Response(status: status, headers: headers, body: body)
        } catch {
            throw .notFound
        }
    }

    /// The real path of `relative` when it lies inside the archive's real directory, after
    /// every symbolic link is followed; nil otherwise (absolute paths, `..`, links out).
    static func resolve(_ relative: String, inside directory: String) -> String? {
        guard !relative.isEmpty, !relative.hasPrefix("/"), !relative.contains("\0"),
              let root = realPath(directory), let target = realPath((directory as NSString).appendingPathComponent(relative))
        else { return nil }
        let prefix = root.hasSuffix("/") ? root : root + "/"
        return target.hasPrefix(prefix) ? target : nil
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func regularFileSize(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(info.st_size)
    }
}

/// A `Range: bytes=…` header against a file of `size` bytes (RFC 9110 §14): one range is
/// served as 206; a header that is not one valid byte range is ignored (the whole file).
enum ByteRange: Equatable {
    case whole
    case part(ClosedRange<Int>)
    case unsatisfiable

    static func parse(_ header: String, size: Int) -> ByteRange {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return .whole }
        let spec = text.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let last = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int? {
            guard !text.isEmpty, text.count <= 18, text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber) else { return nil }
            return Int(text)
        }
        if first.isEmpty {
            guard let suffix = number(last) else { return .whole }
            return suffix == 0 ? .unsatisfiable : .part(max(0, size - suffix)...(size - 1))
        }
        guard let start = number(first) else { return .whole }
        if last.isEmpty { return start < size ? .part(start...(size - 1)) : .unsatisfiable }
        guard let end = number(last), end >= start else { return .whole }
        return start < size ? .part(start...min(end, size - 1)) : .unsatisfiable
    }
}
