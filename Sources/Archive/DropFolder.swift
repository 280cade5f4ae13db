import Foundation

/// A folder CSV exports are dropped into (`sync --watch DIR`). A file is taken only once its
/// size and modification time have stayed the same for `settle` seconds, so one still being
/// written (or copied in) is not read half way; a file renamed in whole is taken after the
/// same wait. Hidden files (`.name.csv`, as many tools write before renaming) are ignored.
public struct DropFolder: Sendable {
    public let directory: String
    public let settle: Duration
    public static let doneFolder = "done"

    private struct Sighting: Equatable {
        let size: Int64
        let modified: Int64
        var since: ContinuousClock.Instant

        static func == (left: Sighting, right: Sighting) -> Bool {
            left.size == right.size && left.modified == right.modified
        }
    }

    private var sightings: [String: Sighting] = [:]
    /// Files refused as they were (unreadable, no such column): not read again until they change.
    private var refused: [String: Sighting] = [:]

    public init(directory: String, settle: Duration) {
        self.directory = directory
        self.settle = settle
    }

    /// `DIR/done`, created when missing; an error when DIR is not a directory.
    public func prepare() throws(IntakeError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .notAFolder(path: directory)
        }
        do {
            try FileManager.default.createDirectory(atPath: path(Self.doneFolder), withIntermediateDirectories: true)
        } catch {
            throw .cannotMove(path: path(Self.doneFolder), reason: ArchiveLocation.reason(error))
        }
    }

    /// The `*.csv` files that have settled since they were last seen changing, by name.
    public mutating func settled(now: ContinuousClock.Instant = .now) -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") && $0.lowercased().hasSuffix(".csv") }.sorted()
        var ready: [String] = []
        var seen: [String: Sighting] = [:]
        for name in names {
            var info = stat()
            guard lstat(path(name), &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            var sighting = Sighting(
                size: Int64(info.st_size), modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec), since: now
            )
            if let earlier = sightings[name], earlier == sighting { sighting.since = earlier.since }
            seen[name] = sighting
            if refused[name] == sighting { continue }
            if now - sighting.since >= settle { ready.append(name) }
        }
        sightings = seen
        refused = refused.filter { seen[$0.key] == $0.value }
        return ready
    }

    /// Leaves `name` where it is, not offered again until it changes (a refused file, a dry run).
    public mutating func refuse(_ name: String) {
        refused[name] = sightings[name]
    }

    /// Moves a handled file to `DIR/done/`, under a new name (`orders-2.csv`) when one of its
    /// name is there already. Returns where it went.
    @discardableResult
    public mutating func finish(_ name: String) throws(IntakeError) -> String {
        let stem = (name as NSString).deletingPathExtension, suffix = (name as NSString).pathExtension
        var target = path(Self.doneFolder + "/" + name)
        var number = 2
        while FileManager.default.fileExists(atPath: target) {
            target = path(Self.doneFolder + "/\(stem)-\(number).\(suffix)")
            number += 1
        }
        guard rename(path(name), target) == 0 else {
            throw .cannotMove(path: path(name), reason: String(cString: strerror(errno)))
        }
        sightings[name] = nil
        return target
    }

    public func path(_ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }
}
