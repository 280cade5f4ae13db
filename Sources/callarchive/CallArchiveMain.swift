import CallArchiveCLI
import Foundation

@main
enum CallArchiveMain {
    static func main() async {
        // Past a file-size limit (`ulimit -f`), a write should fail with EFBIG and be reported
        // like a full disk, not kill the process half way through a file.
        signal(SIGXFSZ, SIG_IGN)
        await CallArchive.main()
    }
}
