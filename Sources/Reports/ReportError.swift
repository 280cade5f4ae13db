/// Why a report could not be written.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownColumn(String)

    public var description: String {
        switch self {
        case .unknownColumn(let name): "unknown column '\(name)'"
        }
    }
}
