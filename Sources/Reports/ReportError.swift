/// Why a report could not be written.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownColumn(String)
    case cannotWrite(path: String, reason: String)

    public var description: String {
        switch self {
        case .unknownColumn(let name): "unknown column '\(name)'"
        case let .cannotWrite(path, reason): "cannot write \(path): \(reason)"
        }
    }
}
