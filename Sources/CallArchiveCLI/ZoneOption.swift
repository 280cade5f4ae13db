import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

/// `--tz ZONE` (docs/query.md, "Local time"): an IANA name or `store`, else env
/// `CALLARCHIVE_TZ`, else the machine's zone as `date` shows it.
enum ZoneOption {
    /// The option's value or the environment's, with where it came from; nil for the machine's zone.
    static func chosen(_ option: String?) -> (name: String, source: String)? {
        if let option { return (option, "--tz") }
        if let name = ProcessInfo.processInfo.environment["CALLARCHIVE_TZ"], !name.isEmpty { return (name, "CALLARCHIVE_TZ") }
        return nil
    }

    /// A zone that is neither an IANA name nor `store` is a usage error naming it.
    static func check(_ option: String?) throws {
        guard let (name, source) = chosen(option), name != "store", ZoneNames.zone(named: name) == nil else { return }
        throw ValidationError(
            "\(source) \"\(TerminalText.safe(String(name.prefix(80))))\": unknown time zone; use an IANA name such as America/Chicago, UTC, or store"
        )
    }

    /// One zone for every call (no catalog needed): the option's, or the machine's. `store`
    /// reads as the machine's zone here (info and fetch show the API's calls, which no stores
    /// table has seen yet).
    static func single(_ option: String?) -> TimeZone {
        guard let (name, _) = chosen(option), name != "store", let zone = ZoneNames.zone(named: name) else { return ZoneNames.machineZone() }
        return zone
    }

    /// The zones a query reads: with `store`, the stores table of `catalog`; stores without a
    /// zone, and stores the table does not list, use the machine's zone, said in a notice.
    static func zones(_ option: String?, catalog: any Catalog) async throws -> CallZones {
        guard chosen(option)?.name == "store" else { return CallZones(single(option)) }
        let machine = ZoneNames.machineZone()
        var zones: [String: TimeZone] = [:]
        let stores = try await catalog.stores()
        for store in stores {
            if let zone = ZoneNames.zone(named: store.timeZone) { zones[store.code] = zone }
        }
        if stores.isEmpty {
            Console.err("note: --tz store: no stores imported (callarchive stores import FILE.csv); every call is read in \(ZoneNames.name(of: machine))\n")
        } else if zones.count < stores.count {
            Console.err("note: --tz store: \(stores.count - zones.count) of \(stores.count) stores have no time zone; their calls, and those of stores not imported, are read in \(ZoneNames.name(of: machine))\n")
        }
        return CallZones(stores: zones, fallback: machine)
    }
}

extension QueryArguments {
    /// The query words compiled in the chosen zones, and the catalog `open` gives. A query
    /// the words cannot make is a usage error found before the catalog is opened.
    func compile(
        sort: String? = nil, limit: Int? = nil, open: () async throws -> any Catalog
    ) async throws -> (query: CatalogQuery, catalog: any Catalog) {
        let query = try CatalogQuery(words: words, sort: sort, limit: limit, zones: CallZones(ZoneOption.single(tz)))
        let catalog = try await open()
        guard ZoneOption.chosen(tz)?.name == "store" else { return (query, catalog) }
        let zones = try await ZoneOption.zones(tz, catalog: catalog)
        return (try CatalogQuery(words: words, sort: sort, limit: limit, zones: zones), catalog)
    }
}

/// `--tz` for commands that show the API's times but query nothing (`fetch`, `info`). The
/// seed's display (docs/contract.md §7) stays as it is unless a zone is asked for.
struct ZoneArguments: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Also show call times in this IANA time zone (env CALLARCHIVE_TZ; store: the machine's zone).",
        valueName: "zone"))
    var tz: String?

    func validate() throws {
        try ZoneOption.check(tz)
    }

    /// The zone asked for, or UTC (nothing added) when none was.
    var zone: TimeZone { ZoneOption.chosen(tz) == nil ? CallZones.utc.fallback : ZoneOption.single(tz) }
}
