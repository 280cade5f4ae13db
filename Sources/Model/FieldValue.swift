/// One cell of a catalog row, typed, for report writers.
public enum FieldValue: Sendable, Equatable {
    case null
    case text(String)
    case integer(Int64)
    case real(Double)
}
