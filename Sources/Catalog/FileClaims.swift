import Foundation
import Synchronization

/// The SQLite catalog's claims: one byte-range lock per call name in `DIR/.callarchive-locks`,
/// which keeps two processes (or two pipelines) from fetching the same call into the same
/// `.part` at once. The kernel drops the locks when a process dies, even by SIGKILL, so a
/// crash never leaves a call locked.
final class FileClaims: CallClaims {
    static let fileName = ".callarchive-locks"
    private let descriptor: Int32
    /// Names held by this process's workers: a lock of the file is owned by its open file,
    /// which every worker of the process shares, so the kernel would grant all of them the
    /// same name at once.
    private let held = Mutex(Set<String>())

    init(directory: String) throws(CatalogError) {
        let path = (directory as NSString).appendingPathComponent(Self.fileName)
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .cannotClaim(path: path, reason: String(cString: strerror(errno))) }
    }

    deinit { close(descriptor) }

    /// Waits until `name` is free, then holds it.
    public func claim(_ name: String) async throws {
        while true {
            if held.withLock({ $0.insert(name).inserted }) {
                if set(F_WRLCK, name) { return }
                _ = held.withLock { $0.remove(name) }
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    public func release(_ name: String) {
        _ = set(F_UNLCK, name)
        _ = held.withLock { $0.remove(name) }
    }

    private func set(_ type: Int32, _ name: String) -> Bool {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = off_t(Self.offset(name))
        lock.l_len = 1
        #if os(Linux)
        // Open-file-description locks: owned by this descriptor, not the whole process.
        let command: Int32 = 37  // F_OFD_SETLK
        #else
        let command = F_SETLK
        #endif
        return fcntl(descriptor, command, &lock) == 0
    }

    /// A stable byte offset for a name (FNV-1a), below 2^40.
    static func offset(_ name: String) -> Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return Int64(hash % (1 << 40))
    }
}
