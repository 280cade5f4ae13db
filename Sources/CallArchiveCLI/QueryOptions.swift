import ArgumentParser

/// The query words of search, export, stats, verify and refetch (docs/contract.md §5). Negated terms such
/// as `-store:MI-062` are taken as words, not as options.
struct QueryArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Time zone for date:, hour:, weekday:, time: and shown times: an IANA name, or store (env CALLARCHIVE_TZ; default the machine's zone).",
        valueName: "zone"))
    var tz: String?

    @Argument(parsing: .allUnrecognized, help: ArgumentHelp(
        "Query words, ANDed: field:value, field:=exact, field:a,b, -field:value, duration:>60, date:2025-02, bare words.",
        valueName: "query"))
    var words: [String] = []

    func validate() throws {
        try ZoneOption.check(tz)
    }
}
