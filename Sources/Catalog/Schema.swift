import GRDB

/// The SQLite catalog's schema: the numbered SQL files of `catalog/sqlite/`, embedded at
/// build time, applied in name order by a GRDB migrator.
enum Schema {
    /// Migration identifiers (file names without `.sql`) with their SQL, in order.
    static let migrations: [(identifier: String, sql: String)] = Embedded.files
        .filter { $0.name.hasSuffix(".sql") }
        .sorted { $0.name < $1.name }
        .map { (String($0.name.dropLast(4)), $0.contents) }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.identifier) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }
}
