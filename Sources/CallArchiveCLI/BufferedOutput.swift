import Foundation

/// Buffered writes to a file descriptor; with a path, writes a temporary file renamed into
/// place by `close()`, so a report is never seen half written.
final class BufferedOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let finalPath: String?
    private let temporaryPath: String?
    private var failure: String?

    init(descriptor: Int32) {
        self.descriptor = descriptor
        finalPath = nil
        temporaryPath = nil
        buffer.reserveCapacity(1 << 16)
    }

    init(path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw Console.fail("cannot write \(path): \(String(cString: strerror(errno)))", code: 1)
        }
        finalPath = path
        temporaryPath = temporary
    }

    func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    /// Lets `body` append bytes straight into the buffer (the CSV export path).
    func write(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= 1 << 16 { flush() }
    }

    private func flush() {
        var offset = 0
        while offset < buffer.count, failure == nil {
            let result = buffer.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if result < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
            } else {
                offset += result
            }
        }
        buffer.removeAll(keepingCapacity: true)
    }

    func close() throws {
        flush()
        if let temporaryPath, let finalPath {
            if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
            Foundation.close(descriptor)
            if failure == nil, rename(temporaryPath, finalPath) != 0 { failure = String(cString: strerror(errno)) }
            if let failure {
                unlink(temporaryPath)
                throw Console.fail("cannot write \(finalPath): \(failure)", code: 1)
            }
        } else if let failure, failure != String(cString: strerror(EPIPE)) {
            throw Console.fail("cannot write output: \(failure)", code: 1)
        }
    }
}
