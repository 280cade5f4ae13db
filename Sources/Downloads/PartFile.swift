import Dispatch
import Foundation

/// A `.part` file being written: appends in large chunks, fsyncs before it is committed.
/// Owns its file descriptor.
final class PartFile {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private(set) var size: Int64
    private var lastFlush = ContinuousClock.now
    static let chunkSize = 1 << 20
    /// Slow downloads reach the disk at least this often, so an interruption loses little.
    static let flushInterval = Duration.seconds(1)

    /// Opens `path` for appending (keeping what is there) or truncated. A symbolic link is
    /// refused, so a planted `.part` link cannot make a download write outside the archive.
    init(path: String, keep: Bool) throws(DownloadError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (keep ? O_APPEND : O_TRUNC), 0o644)
        guard descriptor >= 0 else { throw .disk(path: path, reason: String(cString: strerror(errno))) }
        size = keep ? Int64(lseek(descriptor, 0, SEEK_END)) : 0
        buffer.reserveCapacity(Self.chunkSize)
    }

    deinit { close(descriptor) }

    func append(_ bytes: UnsafeRawBufferPointer) throws(DownloadError) {
        buffer.append(contentsOf: bytes)
        size += Int64(bytes.count)
        if buffer.count >= Self.chunkSize || ContinuousClock.now - lastFlush >= Self.flushInterval { try flush() }
    }

    func flush() throws(DownloadError) {
        var written = 0
        while written < buffer.count {
            let result = buffer.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if result < 0 {
                if errno == EINTR { continue }
                throw .disk(path: path, reason: String(cString: strerror(errno)))
            }
            written += result
        }
        buffer.removeAll(keepingCapacity: true)
        lastFlush = ContinuousClock.now
    }

    /// Flushes and fsyncs, so the bytes are on disk before the file is decoded and renamed.
    func sync() async throws(DownloadError) {
        try flush()
        let error = await syncToDisk(descriptor)
        guard error == 0 else { throw .disk(path: path, reason: String(cString: strerror(error))) }
    }
}

/// One thread that waits for the disk: fsync blocks for as long as the device takes, and on a
/// cooperative thread (as many as there are cores, shared with decoding) that time would be
/// a core left idle. Fsyncs are short and few, so one thread in turn is enough.
private let syncQueue = DispatchQueue(label: "callarchive.fsync")

/// `fsync(descriptor)` on the sync thread; 0, or the errno it failed with.
package func syncToDisk(_ descriptor: Int32) async -> Int32 {
    await withCheckedContinuation { continuation in
        syncQueue.async { continuation.resume(returning: fsync(descriptor) == 0 ? 0 : errno) }
    }
}

@available(*, unavailable)
extension PartFile: Sendable {}
