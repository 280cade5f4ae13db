import AudioCheck
import Foundation
import Model

// Coverage-guided fuzzing of the whole-file checker (libmpg123, ByteSource, the frame scan and
// the verdict rules) with libFuzzer. Built by `make reliability` as
//   swift build -c release --product FuzzChecker -Xswiftc -sanitize=fuzzer -Xswiftc -DFUZZING
// and run with libFuzzer's own flags (a corpus folder, -max_total_time=…). An ordinary build
// makes an executable that only says how to build it. Each input is written to a file (the
// checker reads files, as fetch and verify do) and checked twice; a property that does not
// hold aborts, and libFuzzer saves the input.

enum CheckerFuzz {
    static let path = NSTemporaryDirectory() + "callarchive-fuzz-\(getpid()).mp3"

    static func run(_ bytes: UnsafeRawBufferPointer) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { fatalError("cannot write \(path)") }
        if bytes.count > 0 { _ = write(descriptor, bytes.baseAddress, bytes.count) }
        close(descriptor)
        let first: AudioReport, second: AudioReport
        do {
            first = try AudioChecker().check(fileAt: path)
            second = try AudioChecker().check(fileAt: path)
        } catch {
            fatalError("a readable file was not checked: \(error)")
        }
        if let broken = violation(first, second, size: bytes.count) { fatalError(broken) }
    }

    /// The properties every report must have, whatever the bytes.
    static func violation(_ report: AudioReport, _ again: AudioReport, size: Int) -> String? {
        if report != again { return "two checks of the same bytes disagree: \(report) vs \(again)" }
        if report.fileSize != Int64(size) { return "fileSize \(report.fileSize) for \(size) bytes" }
        if report.frames < 0 || report.samples < 0 { return "negative counts: \(report)" }
        if report.verdict == .valid, report.frames == 0 || report.samples == 0 || report.sampleRate == 0 {
            return "valid without audio: \(report)"
        }
        if report.verdict == .notAudio, report.samples != 0 { return "not_audio with samples: \(report)" }
        if ![.valid, .truncated, .corrupt, .notAudio].contains(report.verdict) { return "verdict \(report.verdict) from a file check" }
        if report.detail.isEmpty || report.detail.contains("\n") { return "detail is not one line: \(report.detail)" }
        if report.sha256.count != 64 { return "sha256 \(report.sha256)" }
        return nil
    }
}

#if FUZZING
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzer(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzer(&argc, &argv) { data, size in
    CheckerFuzz.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
})
#else
FileHandle.standardError.write(Data("FuzzChecker needs libFuzzer: make reliability builds it with -sanitize=fuzzer -DFUZZING\n".utf8))
exit(64)
#endif
