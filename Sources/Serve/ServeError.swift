/// Why `serve` cannot start: a usage error (exit 64), or an address it cannot listen on (exit 1).
public enum ServeError: Error, Sendable, CustomStringConvertible {
    case usage(String)
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case .usage(let message): message
        case let .cannotListen(host, port, reason): "cannot listen on \(host):\(port): \(reason)"
        }
    }

    /// True when the user asked for something impossible (exit 64).
    public var isUsageError: Bool {
        if case .usage = self { return true }
        return false
    }
}
