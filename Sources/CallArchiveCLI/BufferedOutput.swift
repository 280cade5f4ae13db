import ArgumentParser
import Foundation

/// Buffered writes to stdout or to `--output PATH` (docs/reports.md, "Where a report goes").
/// A regular file or a new path is written as a temporary file beside it, fsynced and renamed
/// into place by `close()`, so a report is never seen half written; a symbolic link is followed
/// and its target replaced the same way; a FIFO or a device is written through, as `curl -o`
/// does; `-` and `/dev/stdout` are the standard output itself.
final class BufferedOutput {
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    /// The path as the user wrote it, for messages; nil for the standard output.
    private var name: String?
    /// The temporary file and the file it replaces, until `close()` or `discard()`.
    private var pending: (temporary: String, final: String)?
    private let ownsDescriptor: Bool
    private var failure: String?
    private var closed = false
    /// Ctrl-C and SIGTERM remove the temporary file before exiting 130.
    private var interrupts: [any DispatchSourceSignal] = []

    init(descriptor: Int32) {
        self.descriptor = descriptor
        name = nil
        ownsDescriptor = false
        buffer.reserveCapacity(1 << 16)
    }

    init(path: String) throws {
        name = path
        buffer.reserveCapacity(1 << 16)
        switch try OutputTarget.resolve(path) {
        case .standard(let number):
            descriptor = number
            ownsDescriptor = false
            name = nil  // a reader that stops early is not an error, as on stdout
        case .writeThrough:
            descriptor = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY)
            guard descriptor >= 0 else { throw Self.cannotWrite(path, errno) }
            ownsDescriptor = true
        case .replace(let final, let existing):
            (descriptor, pending) = try OutputTarget.temporaryFile(beside: final, like: existing, for: path)
            ownsDescriptor = true
            interrupts = Self.removeOnInterrupt(pending?.temporary ?? "")
        }
    }

    deinit {
        if !closed { discard() }
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

    /// Writes what is buffered and, for a replaced file, fsyncs it and renames it into place.
    func close() throws {
        flush()
        closed = true
        if let (temporary, final) = pending {
            pending = nil
            if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
            if Foundation.close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
            if failure == nil, rename(temporary, final) != 0 { failure = String(cString: strerror(errno)) }
            if failure != nil { unlink(temporary) } else { OutputTarget.syncDirectory(of: final) }
            restoreInterrupts()
        } else if ownsDescriptor {
            Foundation.close(descriptor)
        }
        guard let failure else { return }
        if let name { throw Failure("cannot write \(name): \(failure)", code: 1) }
        // A reader that stopped early (`| head`) is not an error on the standard output.
        if failure != String(cString: strerror(EPIPE)) { throw Failure("cannot write output: \(failure)", code: 1) }
    }

    /// Gives up: a temporary file is removed, the file it would have replaced stays as it was.
    func discard() {
        guard !closed else { return }
        closed = true
        if let (temporary, _) = pending {
            pending = nil
            Foundation.close(descriptor)
            unlink(temporary)
            restoreInterrupts()
        } else if ownsDescriptor {
            Foundation.close(descriptor)
        }
    }

    private static func removeOnInterrupt(_ temporary: String) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                unlink(temporary)
                Console.err("\ninterrupted: the report was not written\n")
                exit(130)
            }
            source.resume()
            return source
        }
    }

    /// Back to exiting at once on Ctrl-C once the temporary file is renamed or removed.
    private func restoreInterrupts() {
        for source in interrupts { source.cancel() }
        if !interrupts.isEmpty { Interrupts.exitPromptly() }
        interrupts = []
    }

    static func cannotWrite(_ path: String, _ error: Int32) -> Failure {
        Failure("cannot write \(path): \(String(cString: strerror(error)))", code: 1)
    }
}

/// What `--output PATH` names, and so how it is written.
enum OutputTarget {
    /// `-`, `/dev/stdout`, `/dev/stderr`, `/dev/fd/N`: a descriptor this process already has.
    case standard(Int32)
    /// A FIFO, a character or block device, a socket: opened and written in place.
    case writeThrough
    /// A regular file (`existing`, its status) or a new one: replaced atomically.
    case replace(file: String, existing: stat?)

    static func resolve(_ path: String) throws -> OutputTarget {
        if let number = standardDescriptor(path) { return .standard(number) }
        var info = stat()
        if stat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR: throw Failure("cannot write \(path): it is a directory", code: 1)
            case S_IFREG: break
            default: return .writeThrough
            }
        }
        // A regular file or a new one, perhaps behind symbolic links: replace what they point to.
        var file = path
        for _ in 0..<40 {
            guard lstat(file, &info) == 0 else {
                guard errno == ENOENT else { throw BufferedOutput.cannotWrite(path, errno) }
                return .replace(file: file, existing: nil)
            }
            guard info.st_mode & S_IFMT == S_IFLNK else { return .replace(file: file, existing: info) }
            file = try follow(file, for: path)
        }
        throw BufferedOutput.cannotWrite(path, ELOOP)
    }

    /// The descriptor for names that mean one this process holds (gawk treats them alike).
    static func standardDescriptor(_ path: String) -> Int32? {
        switch path {
        case "-", "/dev/stdout": return STDOUT_FILENO
        case "/dev/stderr": return STDERR_FILENO
        default:
            for prefix in ["/dev/fd/", "/proc/self/fd/"] where path.hasPrefix(prefix) {
                if let number = Int32(path.dropFirst(prefix.count)), fcntl(number, F_GETFD) != -1 { return number }
            }
            return nil
        }
    }

    /// Where the symbolic link `link` points, relative targets taken from the link's folder.
    static func follow(_ link: String, for path: String) throws -> String {
        var bytes = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlink(link, &bytes, bytes.count - 1)
        guard count > 0 else { throw BufferedOutput.cannotWrite(path, errno) }
        let target = String(decoding: bytes[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        if target.hasPrefix("/") { return target }
        return folder(of: link) + "/" + target
    }

    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// A new, exclusive temporary file beside `final`, with the mode (and, when allowed, the
    /// owner) of the file it replaces.
    static func temporaryFile(beside final: String, like existing: stat?, for path: String) throws -> (Int32, (String, String)) {
        let base = final.split(separator: "/").last.map(String.init) ?? final
        let prefix = folder(of: final) + "/." + base + ".tmp-\(getpid())-"
        for _ in 0..<100 {
            let temporary = prefix + String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
            if descriptor < 0 {
                if errno == EEXIST { continue }
                throw BufferedOutput.cannotWrite(path, errno)
            }
            if let existing {
                _ = fchown(descriptor, existing.st_uid, existing.st_gid)
                fchmod(descriptor, existing.st_mode & 0o7777)
            }
            return (descriptor, (temporary, final))
        }
        throw BufferedOutput.cannotWrite(path, EEXIST)
    }

    /// Makes a rename durable: the folder's entry is on disk too.
    static func syncDirectory(of file: String) {
        let descriptor = open(folder(of: file), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        Foundation.close(descriptor)
    }
}
