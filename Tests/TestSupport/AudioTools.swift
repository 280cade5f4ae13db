import Foundation

/// Runs the audio tools the metrics are checked against (sox, lame, mpg123, ffmpeg: the
/// Makefile's TEST_TOOLS).
public enum AudioTools {
    public struct Output: Sendable {
        public let status: Int32
        public let stdout: Data
        public let stderr: String
    }

    @discardableResult
    public static func run(_ name: String, _ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + name)
        process.arguments = arguments
        // stderr goes to a file, so neither pipe can fill up and stall the tool.
        let errorPath = temporaryPath(".stderr")
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorBytes = FileManager.default.contents(atPath: errorPath) ?? Data()
        let result = Output(status: process.terminationStatus, stdout: output, stderr: String(decoding: errorBytes, as: UTF8.self))
        guard result.status == 0 else { throw ToolError(description: "\(name) \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result
    }

    public struct ToolError: Error, CustomStringConvertible { public let description: String }

    /// An MP3 made at test time: `parts` are sox synth specs (`silence 3`, `sine 440 5 0.5`)
    /// joined end to end at `rate` Hz and `channels`, encoded by lame at `kbps`.
    public static func mp3(_ parts: [String], rate: Int, channels: Int, kbps: Int) throws -> String {
        let directory = try temporaryDirectory()
        var wavs: [String] = []
        for (index, part) in parts.enumerated() {
            let words = part.split(separator: " ").map(String.init)
            let wav = directory + "/part\(index).wav"
            var arguments = ["-V1", "-D", "-n", "-r", "\(rate)", "-c", "\(channels)", "-b", "16", wav]
            switch words[0] {
            case "silence": arguments += ["trim", "0", words[1]]
            case "sine": arguments += ["synth", words[2], "sine", words[1], "vol", words[3]]
            case "clipped": arguments += ["synth", words[2], "sine", words[1], "gain", words[3]]
            default: throw ToolError(description: "unknown part \(part)")
            }
            try run("sox", arguments)
            wavs.append(wav)
        }
        let joined = directory + "/all.wav"
        try run("sox", wavs.count == 1 ? [wavs[0], joined] : wavs + [joined])
        let mp3 = directory + "/made.mp3"
        try run("lame", ["--quiet", "-b", "\(kbps)", joined, mp3])
        return mp3
    }

    /// `sox … stats` "Pk lev dB" of mpg123's decode of the file (the loudest channel).
    public static func soxPeak(_ mp3: String) throws -> Double {
        let wav = temporaryPath(".wav")
        try run("mpg123", ["-q", "-w", wav, mp3])
        let stats = try run("sox", [wav, "-n", "stats"]).stderr
        let line = stats.split(separator: "\n").first { $0.hasPrefix("Pk lev dB") }
        return try number(line?.split(separator: " ").dropFirst(3).first, in: stats)
    }

    /// `ffmpeg -af ebur128`'s integrated loudness of the file, LUFS.
    public static func ffmpegLoudness(_ mp3: String) throws -> Double {
        let log = try run("ffmpeg", ["-nostats", "-hide_banner", "-i", mp3, "-af", "ebur128", "-f", "null", "-"]).stderr
        let summary = log.range(of: "Integrated loudness:").map { log[$0.upperBound...] } ?? ""
        let line = summary.split(separator: "\n").first { $0.contains("I:") }
        return try number(line?.split(separator: " ").dropFirst().first, in: log)
    }

    /// mpg123's float decode of the file, every channel's samples.
    public static func floatSamples(_ mp3: String) throws -> [Float] {
        let bytes = try run("mpg123", ["-q", "-e", "f32", "-s", mp3]).stdout
        return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }

    private static func number(_ text: Substring?, in output: String) throws -> Double {
        guard let text, let value = Double(text) else { throw ToolError(description: "no figure in: \(output)") }
        return value
    }
}
