/// Errors raised while building model values from user or API input.
public enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidOrderID(String)

    public var description: String {
        switch self {
        case .invalidOrderID(let text):
            "invalid order id \(Self.quoted(text)): use 1 to 64 letters, digits, '_' or '-', starting with a letter or digit"
        }
    }

    /// Quotes user text for a message, showing control characters as escapes.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            } else if scalar == "\"" || scalar == "\\" {
                out += "\\\(scalar)"
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
