import Crypto
import Foundation

/// Reads a file once, front to back, for libmpg123: hashes every byte on the way and keeps the
/// head and the tail, which the container checks need.
final class ByteSource {
    static let headCapacity = 256 * 1024
    static let tailCapacity = 64 * 1024

    private let descriptor: Int32
    private var hasher = SHA256()
    private(set) var bytesRead: Int64 = 0
    private(set) var head: [UInt8] = []
    /// The last bytes read, up to `tailCapacity` (a ring buffer unrolled by `tail`).
    private var ring = [UInt8](repeating: 0, count: ByteSource.tailCapacity)
    private(set) var readError: Int32 = 0
    /// Read-ahead: libmpg123 asks for a header or a frame at a time (a few hundred bytes), and
    /// one system call each cost 15 % of a verify's time.
    static let blockSize = 64 * 1024
    private let block = UnsafeMutableRawPointer.allocate(byteCount: ByteSource.blockSize, alignment: 16)
    private var blockStart = 0
    private var blockEnd = 0

    init(path: String) throws(AudioCheckError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
        }
        head.reserveCapacity(Self.headCapacity)
    }

    deinit {
        close(descriptor)
        block.deallocate()
    }

    /// Gives libmpg123 up to `count` bytes: from the read-ahead block, or straight from the
    /// file for large requests.
    func read(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        if blockStart == blockEnd {
            if count >= Self.blockSize { return systemRead(into: buffer, count: count) }
            let filled = systemRead(into: block, count: Self.blockSize)
            guard filled > 0 else { return filled }
            (blockStart, blockEnd) = (0, filled)
        }
        let result = min(count, blockEnd - blockStart)
        buffer.copyMemory(from: block + blockStart, byteCount: result)
        blockStart += result
        return result
    }

    /// Reads from the file and records what was read. Every byte read is handed out in the end
    /// (`drain` reads the rest), so hashing here, a block at a time, covers the file; libmpg123
    /// asks for single bytes while it searches for a frame sync.
    private func systemRead(into buffer: UnsafeMutableRawPointer, count: Int) -> Int {
        var result: Int
        repeat {
            result = Foundation.read(descriptor, buffer, count)
        } while result < 0 && errno == EINTR
        if result < 0 { readError = errno }
        return record(result, at: buffer)
    }

    /// Hashes the `result` bytes read into `buffer` and keeps the head and tail.
    private func record(_ result: Int, at buffer: UnsafeMutableRawPointer) -> Int {
        guard result > 0 else { return result }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: result)
        hasher.update(bufferPointer: bytes)
        if head.count < Self.headCapacity {
            head.append(contentsOf: bytes.prefix(Self.headCapacity - head.count))
        }
        remember(tail: UnsafeRawBufferPointer(rebasing: bytes.suffix(Self.tailCapacity)), endingAt: bytesRead + Int64(result))
        bytesRead += Int64(result)
        return result
    }

    /// Copies `bytes`, which end at file offset `end`, into the ring.
    private func remember(tail bytes: UnsafeRawBufferPointer, endingAt end: Int64) {
        var position = Int((end - Int64(bytes.count)) % Int64(Self.tailCapacity))
        var copied = 0
        ring.withUnsafeMutableBytes { ring in
            while copied < bytes.count {
                let count = min(bytes.count - copied, Self.tailCapacity - position)
                ring.baseAddress!.advanced(by: position).copyMemory(from: bytes.baseAddress!.advanced(by: copied), byteCount: count)
                copied += count
                position = (position + count) % Self.tailCapacity
            }
        }
    }

    /// Reads whatever libmpg123 left unread, so the hash and the tail cover the whole file.
    func drain() {
        let size = 1 << 20
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        while read(into: buffer, count: size) > 0 {}
    }

    /// The last `min(bytesRead, tailCapacity)` bytes, in order.
    var tail: [UInt8] {
        let count = Int(min(bytesRead, Int64(Self.tailCapacity)))
        let start = Int((bytesRead - Int64(count)) % Int64(Self.tailCapacity))
        return (0..<count).map { ring[(start + $0) % Self.tailCapacity] }
    }

    var sha256: String {
        hasher.finalize().map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

@available(*, unavailable)
extension ByteSource: Sendable {}
