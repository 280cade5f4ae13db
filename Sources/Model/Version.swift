/// The version `callarchive --version` prints and the `User-Agent` carries.
public enum CallArchiveVersion {
    public static let current = "0.1.0"
    public static let userAgent = "callarchive/\(current) (+call recording archive)"
}
