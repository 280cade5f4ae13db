import Downloads
import Foundation
import Model

extension ArchiveLocation {
    /// Where a checked recording named `name` belongs: its name when valid, else `quarantine/`.
    static func destination(of name: String, verdict: Verdict) -> String {
        verdict == .valid ? name : quarantineFolder + "/" + name
    }

    /// Renames a checked file (already synced) from `from` to `to`, both relative to the archive,
    /// creating `quarantine/` when that is where it goes, then syncs the directory, so the new
    /// name survives a crash. The rename is atomic: the final name never holds a partial file.
    func commit(_ from: String, to: String) async throws {
        if to.hasPrefix(Self.quarantineFolder + "/") {
            try FileManager.default.createDirectory(atPath: path(Self.quarantineFolder), withIntermediateDirectories: true)
        }
        guard rename(path(from), path(to)) == 0 else {
            throw ArchiveError.notWritable(path: path(to), reason: String(cString: strerror(errno)))
        }
        let directory = open((path(to) as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            _ = await syncToDisk(directory)
            close(directory)
        }
    }
}
