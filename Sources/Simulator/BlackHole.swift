import Foundation

/// A loopback port that is never served. Full (the default): its listen queue is full, so a new
/// connection gets no answer at all and the client's connect timeout fires, where a refused
/// port fails at once (relies on Linux dropping SYNs when the backlog is full). Not full: the
/// kernel completes the handshake, but no request is ever read or answered.
public final class BlackHole: Sendable {
    public let port: Int
    private let descriptors: [Int32]

    public init(full: Bool = true) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard listener >= 0, var address = Loopback.bind(listener, backlog: full ? 0 : 16) else {
            close(listener)
            throw POSIXError(.EADDRNOTAVAIL)
        }
        let length = socklen_t(MemoryLayout<sockaddr_in>.size)
        port = Int(UInt16(bigEndian: address.sin_port))
        // Fill the queue with connections nobody accepts.
        var fillers: [Int32] = []
        for _ in 0..<(full ? 4 : 0) {
            let filler = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            _ = fcntl(filler, F_SETFL, O_NONBLOCK)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(filler, $0, length) }
            }
            fillers.append(filler)
        }
        descriptors = [listener] + fillers
        usleep(100_000)
    }

    deinit {
        for descriptor in descriptors { close(descriptor) }
    }
}

/// Loopback ports for tests.
public enum Loopback {
    /// A port on 127.0.0.1 that nothing listens on (bound, read, released): connecting is refused.
    public static func unusedPort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        guard descriptor >= 0, let address = bind(descriptor, backlog: nil) else { throw POSIXError(.EADDRNOTAVAIL) }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Binds `descriptor` to a free port on 127.0.0.1 (and listens with `backlog`, if given).
    static func bind(_ descriptor: Int32, backlog: Int32?) -> sockaddr_in? {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                Foundation.bind(descriptor, pointer, length) == 0 && (backlog.map { listen(descriptor, $0) == 0 } ?? true)
                    && getsockname(descriptor, pointer, &length) == 0
            }
        }
        return bound ? address : nil
    }
}
