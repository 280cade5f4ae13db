import Foundation

/// A throw-away PostgreSQL 15 server for the tests: one per test process, started on first use
/// as the `postgres` user (`initdb` + `pg_ctl`) in a temporary directory, listening on a free
/// loopback port with its socket in that directory, stopped and removed when the process
/// exits. No system cluster is touched. Each test takes a database of its own
/// (`newDatabase()`). `make test` installs PostgreSQL when it is missing.
public final class PostgresServer: Sendable {
    public static let binaries = "/usr/lib/postgresql/15/bin"
    /// The server, or why it could not be started.
    public static let shared: Result<PostgresServer, ServerError> = Result { try PostgresServer() }.mapError { $0 as? ServerError ?? ServerError("\($0)") }

    public struct ServerError: Error, Sendable, CustomStringConvertible {
        public let description: String
        init(_ description: String) { self.description = description }
    }

    public let directory: String
    public let port: Int
    /// The password of the `postgres` role over TCP (the socket trusts the local user).
    public let password = "pw-" + UUID().uuidString.prefix(8)

    /// True for a server that speaks TLS only (`tls: true`).
    public let tls: Bool

    /// A server of its own (for a test that stops it); most tests share `shared`. With `tls`,
    /// it has a self-signed certificate and refuses TCP connections that are not encrypted.
    public init(name: String = "shared", tls: Bool = false) throws {
        self.tls = tls
        guard FileManager.default.isExecutableFile(atPath: Self.binaries + "/initdb") else {
            throw ServerError("PostgreSQL 15 is not installed (\(Self.binaries)/initdb); `make deps` installs it")
        }
        _ = Self.stopAtExit
        directory = Self.prefix + name
        port = try Self.freePort()
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try Data((password + "\n").utf8).write(to: URL(fileURLWithPath: directory + "/password"))
        try Self.shell("chown -R postgres: \(directory) && chmod 700 \(directory)")
        try asPostgres("initdb", "-D", directory + "/data", "-U", "postgres", "--auth-local=trust", "--auth-host=scram-sha-256",
                       "--pwfile=" + directory + "/password", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        if tls { try makeTLSOnly() }
        try start()
    }

    /// Every server of this process lives in a directory starting with this.
    private static var prefix: String { NSTemporaryDirectory() + "callarchive-pg-\(getpid())-" }

    /// Registered once: at exit, every server of this process is stopped and its directory removed.
    private static let stopAtExit: Void = {
        atexit {
            let temporary = NSTemporaryDirectory(), mine = "callarchive-pg-\(getpid())-"
            for name in (try? FileManager.default.contentsOfDirectory(atPath: temporary)) ?? [] where name.hasPrefix(mine) {
                let directory = temporary + name
                _ = try? PostgresServer.run("/usr/bin/env", ["-C", "/tmp", "/usr/sbin/runuser", "-u", "postgres", "--", PostgresServer.binaries + "/pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop"])
                try? FileManager.default.removeItem(atPath: directory)
            }
        }
    }()

    /// A self-signed certificate for 127.0.0.1, and TCP allowed only with TLS (`hostssl`).
    private func makeTLSOnly() throws {
        let data = directory + "/data"
        try Self.shell("openssl req -new -x509 -days 2 -nodes -subj /CN=127.0.0.1 -keyout \(data)/server.key -out \(data)/server.crt 2>/dev/null"
            + " && chown postgres: \(data)/server.key \(data)/server.crt && chmod 600 \(data)/server.key"
            + " && sed -i 's/^host /hostssl /' \(data)/pg_hba.conf")
    }

    /// Starts the server (again, after `stop`), waiting until it answers.
    public func start() throws {
        var settings = "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=300"
        if tls { settings += " -c ssl=on" }
        try asPostgres("pg_ctl", "-D", directory + "/data", "-l", directory + "/log", "-w", "-o", settings, "start")
    }

    /// Stops the server at once, as a crash would (`pg_ctl -m immediate`).
    public func stop() throws {
        try asPostgres("pg_ctl", "-D", directory + "/data", "-m", "immediate", "-w", "stop")
    }

    /// A new, empty database; returns its URL (with the password).
    public func newDatabase() throws -> String {
        let name = "test_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        try asPostgres("createdb", "-h", directory, "-p", String(port), name)
        return url(database: name)
    }

    public func url(database: String) -> String {
        "postgresql://postgres:\(password)@127.0.0.1:\(port)/\(database)?sslmode=disable"
    }

    /// Runs `sql` in `database` with `psql`; returns what it printed (unaligned, tuples only).
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        try asPostgres("psql", "-h", directory, "-p", String(port), "-d", database, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql)
    }

    @discardableResult
    private func asPostgres(_ tool: String, _ arguments: String...) throws -> String {
        // From /tmp: the postgres user may not enter the test's working directory.
        try Self.run("/usr/bin/env", ["-C", "/tmp", "/usr/sbin/runuser", "-u", "postgres", "--", Self.binaries + "/" + tool] + arguments)
    }

    private static func shell(_ command: String) throws {
        try run("/bin/sh", ["-c", command])
    }

    /// Runs a program to its end; returns what it printed (through a file). `posix_spawn` and
    /// `waitpid`, not Foundation's `Process`: that one learns of the end through a socket the
    /// child inherits, and the server `pg_ctl start` leaves behind would hold it open forever.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let outputPath = NSTemporaryDirectory() + "callarchive-pg-output-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else { throw ServerError("cannot run \(executable): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        guard status == 0 else { throw ServerError("\(executable) \(arguments.joined(separator: " ")) failed: \(text)") }
        return text
    }

    /// A loopback port nobody listens on now.
    public static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerError("no free port: \(String(cString: strerror(errno)))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
