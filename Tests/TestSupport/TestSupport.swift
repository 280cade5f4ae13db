import Foundation

/// Every temporary directory and file a test makes lives in one folder per test process,
/// removed when the process exits, whatever the test left there.
public let testRoot: String = {
    let root = NSTemporaryDirectory() + "callarchive-tests-\(getpid())"
    try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    atexit { try? FileManager.default.removeItem(atPath: NSTemporaryDirectory() + "callarchive-tests-\(getpid())") }
    return root
}()

/// A fresh, empty directory under `testRoot`.
public func temporaryDirectory() throws -> String {
    let path = testRoot + "/" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A path for a new file under `testRoot`, ending in `suffix` (nothing is created).
public func temporaryPath(_ suffix: String) -> String {
    testRoot + "/" + UUID().uuidString + suffix
}

/// The repository's top folder (this file is Tests/TestSupport/TestSupport.swift).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The catalog migrations the repository ships for a backend (`catalog/sqlite/NNNN_name.sql`,
/// `catalog/postgres/…`), as their identifiers, in order: what a catalog holds once it is current.
public func shippedMigrations(_ backend: String = "sqlite") throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: repositoryRoot.appendingPathComponent("catalog/" + backend).path)
        .filter { $0.hasSuffix(".sql") }.map { String($0.dropLast(4)) }.sorted()
}
