import ArgumentParser

/// The query words of search, export, stats, verify and refetch (docs/contract.md §5). Negated terms such
/// as `-store:MI-062` are taken as words, not as options.
struct QueryArguments: ParsableArguments {
    @Argument(parsing: .allUnrecognized, help: ArgumentHelp(
        "Query words, ANDed: field:value, field:=exact, field:a,b, -field:value, duration:>60, date:2025-02, bare words.",
        valueName: "query"))
    var words: [String] = []
}
