import CallArchiveCLI

@main
enum CallArchiveMain {
    static func main() async {
        await CallArchive.main()
    }
}
