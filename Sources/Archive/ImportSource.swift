import Foundation

/// A path `import` will try, in the order it was named or found; `problem` says why it
/// cannot be read when that was clear before opening it (it does not exist).
struct ImportCandidate: Sendable {
    let path: String
    var problem: String?
}

/// Why a path was skipped, in words for the user.
struct ImportSkip: Error {
    let reason: String
}

/// A regular file opened for reading by `import`; the descriptor is closed with it.
final class SourceFile {
    let descriptor: Int32
    let status: stat

    init(descriptor: Int32, status: stat) {
        self.descriptor = descriptor
        self.status = status
    }

    deinit { close(descriptor) }

    /// A path that opens this very file, whatever is renamed or replaced meanwhile.
    var stablePath: String {
        #if os(Linux)
        "/proc/self/fd/\(descriptor)"
        #else
        "/dev/fd/\(descriptor)"
        #endif
    }

    var identity: FileIdentity { FileIdentity(status) }
}

@available(*, unavailable) extension SourceFile: Sendable {}

/// Device and inode: which file a path leads to.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    init(_ status: stat) {
        device = UInt64(status.st_dev)
        inode = UInt64(status.st_ino)
    }

    /// The file at `path` itself (a link is not followed), or nil.
    init?(path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return nil }
        self.init(status)
    }
}

/// Finding the files `import` reads and opening them safely (docs/import.md): only regular
/// files are read; links, FIFOs, sockets, devices and directories named like recordings are
/// skipped, without ever blocking on them or following them.
enum ImportSource {
    /// The paths named, with the directories among them (even through a link, like `find -H`)
    /// replaced by their `.mp3` entries, searched recursively: a directory's entries first,
    /// then its subdirectories, by name.
    static func candidates(in paths: [String]) -> [ImportCandidate] {
        var found: [ImportCandidate] = []
        for path in paths {
            var status = stat()
            if stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
                search(path, into: &found)
            } else if lstat(path, &status) == 0 {
                found.append(ImportCandidate(path: path))
            } else {
                found.append(ImportCandidate(path: path, problem: String(cString: strerror(errno))))
            }
        }
        return found
    }

    private static func search(_ directory: String, into found: inout [ImportCandidate]) {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        } catch {
            found.append(ImportCandidate(path: directory, problem: "cannot read the directory: \(ArchiveLocation.reason(error))"))
            return
        }
        var folders: [String] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            var status = stat()
            guard lstat(path, &status) == 0 else { continue }
            if name.lowercased().hasSuffix(".mp3") {
                found.append(ImportCandidate(path: path))
            } else if status.st_mode & S_IFMT == S_IFDIR {
                folders.append(path)
            }
        }
        for folder in folders { search(folder, into: &found) }
    }

    /// Opens `candidate` if it is a regular file. The type is checked before opening (so a
    /// device is never opened) and again with `fstat` on the descriptor, the only thing then
    /// read (so nothing swapped in meanwhile is). The open never blocks (`O_NONBLOCK`) and
    /// never follows a link (`O_NOFOLLOW`).
    static func open(_ candidate: ImportCandidate) throws(ImportSkip) -> SourceFile {
        if let problem = candidate.problem { throw ImportSkip(reason: problem) }
        var status = stat()
        guard lstat(candidate.path, &status) == 0 else {
            throw ImportSkip(reason: String(cString: strerror(errno)))
        }
        try requireRegular(status)
        let descriptor = Foundation.open(candidate.path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            switch errno {
            case ELOOP: throw ImportSkip(reason: kind(S_IFLNK))
            case ENXIO: throw ImportSkip(reason: kind(S_IFSOCK))
            case let code: throw ImportSkip(reason: "cannot open it: \(String(cString: strerror(code)))")
            }
        }
        var opened = stat()
        guard fstat(descriptor, &opened) == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw ImportSkip(reason: "cannot read it: \(reason)")
        }
        let file = SourceFile(descriptor: descriptor, status: opened)
        try requireRegular(opened)
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        return file
    }

    private static func requireRegular(_ status: stat) throws(ImportSkip) {
        let type = status.st_mode & S_IFMT
        if type != S_IFREG { throw ImportSkip(reason: kind(type)) }
    }

    /// Why a file of this type is not read.
    static func kind(_ type: mode_t) -> String {
        switch type {
        case S_IFLNK: "a symbolic link; links are not followed (import the file it points to under its call's name)"
        case S_IFDIR: "a directory, not a recording"
        case S_IFIFO: "a FIFO, not a regular file"
        case S_IFSOCK: "a socket, not a regular file"
        case S_IFCHR, S_IFBLK: "a device, not a regular file"
        default: "not a regular file"
        }
    }
}
