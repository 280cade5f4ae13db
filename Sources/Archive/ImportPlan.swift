import Foundation
import Model

/// What `import` would do with one path (`--dry-run`): nothing is copied, decoded or catalogued.
public struct PlannedImport: Sendable, Equatable {
    public let path: String
    /// The call the file would become (`E8ZQCJ call 1`), nil when it would be skipped.
    public let call: String?
    /// `copy into downloads/E8ZQCJ.mp3 and check it`, or why it would be skipped.
    public let action: String
}

/// The plan of `import PATH…`: every candidate `ImportPipeline.run(paths:)` would read, with
/// what would happen to it, found by the same rules but without the catalog or the API.
public struct ImportPlanner: Sendable {
    public let location: ArchiveLocation

    public init(location: ArchiveLocation) {
        self.location = location
    }

    public func plan(paths: [String]) -> [PlannedImport] {
        ImportSource.candidates(in: paths).map(plan)
    }

    private func plan(_ candidate: ImportCandidate) -> PlannedImport {
        let identity: FileIdentity
        do {
            identity = try ImportSource.open(candidate).identity
        } catch {
            return PlannedImport(path: candidate.path, call: nil, action: "skip: \(error.reason)")
        }
        guard let reading = OrderID.calls(fromFileName: (candidate.path as NSString).lastPathComponent).first else {
            return PlannedImport(path: candidate.path, call: nil, action: "skip: the file name is not an order id (ORDER_ID.mp3 or ORDER_ID-N.mp3)")
        }
        let name = reading.order.fileName(callIndex: reading.callIndex)
        let call = "\(reading.order) call \(reading.callIndex)"
        let top = location.path(name)
        if FileIdentity(path: top) == identity {
            return PlannedImport(path: candidate.path, call: call, action: "check in place and catalogue")
        }
        if FileIdentity(path: top) != nil {
            return PlannedImport(path: candidate.path, call: nil, action: "skip: \(top) already exists in the archive")
        }
        let quarantined = location.path(ArchiveLocation.quarantineFolder + "/" + name)
        if FileIdentity(path: quarantined) == identity {
            return PlannedImport(path: candidate.path, call: call, action: "check again in quarantine and catalogue")
        }
        return PlannedImport(path: candidate.path, call: call, action: "copy into \(top), check and catalogue")
    }
}
