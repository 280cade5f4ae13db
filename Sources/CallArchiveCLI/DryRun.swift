import Archive
import ArgumentParser
import Model
import Reports

/// `--dry-run`: what a command would do, one line each on stdout, then a line on stderr that
/// nothing was requested or written.
enum DryRun {
    static let help = ArgumentHelp("Print what would be done; make no recording request and write nothing.")

    /// `would fetch E8ZQCJ: not catalogued` / `would skip B7QK2M: 1 call already valid`.
    static func print(_ plan: [PlannedOrder]) {
        for item in plan {
            Console.out("would \(item.action.rawValue) \(item.order): \(TerminalText.safe(item.reason))\n")
        }
        let fetched = plan.filter { $0.action == .fetch }.count
        Console.err("dry run: \(fetched) order\(fetched == 1 ? "" : "s") would be fetched, \(plan.count - fetched) skipped; "
            + "nothing was requested or written\n")
    }

    /// `would copy into downloads/E8ZQCJ.mp3, check and catalogue: /old/E8ZQCJ.mp3`.
    static func print(_ plan: [PlannedImport]) {
        for item in plan {
            Console.out(TerminalText.safe("would \(item.action): \(item.path)") + "\n")
        }
        let imported = plan.filter { $0.call != nil }.count
        Console.err("dry run: \(imported) file\(imported == 1 ? "" : "s") would be imported, \(plan.count - imported) skipped; "
            + "nothing was copied or written\n")
    }
}
