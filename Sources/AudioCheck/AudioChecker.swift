import CMPG123
import Foundation
import Model

/// Decodes an MP3 file end to end and judges it (SPEC §6): one pass over the bytes gives the
/// sha256, the exact gapless duration, the frame count and the verdict.
public struct AudioChecker: Sendable {
    public init() {}

    /// Checks the file at `path`. `expectedSize` is the size the server promised
    /// (`Content-Length`); a shorter file is `truncated` even without a Xing header.
    public func check(fileAt path: String, expectedSize: Int64? = nil) throws(AudioCheckError) -> AudioReport {
        let source = try ByteSource(path: path)
        var scan = Scan()
        do {
            let decoder = try Decoder(source: source)
            decoding: while true {
                switch decoder.next() {
                case let .frame(samples, position, info):
                    scan.add(frameAt: position, size: Int(info.framesize), samples: samples, info: info)
                case let .newFormat(rate, channels):
                    scan.format(rate: rate, channels: channels)
                case .done:
                    break decoding
                case let .error(message, atEnd):
                    if !atEnd { scan.decoderError = message }
                    break decoding
                }
            }
            scan.frankenstein = decoder.isFrankenstein
        }
        source.drain()
        if source.readError != 0 {
            throw .cannotRead(path: path, reason: String(cString: strerror(source.readError)))
        }
        return scan.report(
            head: source.head, tail: source.tail, size: source.bytesRead,
            expectedSize: expectedSize, sha256: source.sha256
        )
    }
}

/// What the decoder showed, frame by frame, and the rules that turn it into a verdict.
struct Scan {
    var frames = 0
    var samples: Int64 = 0
    var rate = 0
    var channels = 0
    var formats = 0
    var firstFrameAt: Int64?
    var nextFrameAt: Int64 = 0
    var skippedBytes: Int64 = 0
    var resyncs = 0
    var otherLayers = 0
    var bitrateSum = 0
    var decoderError: String?
    var frankenstein = false
    var otherLayer = 0
    var lastHeader: Header?
    var headerChanges = 0

    /// What must stay the same from frame to frame in one recording.
    struct Header: Equatable {
        let version: Int32
        let layer: Int32
        let rate: Int
        let mono: Bool
    }

    mutating func format(rate: Int, channels: Int) {
        self.rate = rate
        self.channels = channels
    }

    mutating func add(frameAt position: Int64, size: Int, samples: Int, info: mpg123_frameinfo2) {
        if firstFrameAt == nil {
            firstFrameAt = position
        } else if position != nextFrameAt {
            resyncs += 1
            skippedBytes += abs(position - nextFrameAt)
        }
        nextFrameAt = position + Int64(size)
        bitrateSum += Int(info.bitrate)
        if info.layer == 3 {
            frames += 1
            self.samples += Int64(samples)
            let header = Header(version: info.version, layer: info.layer, rate: info.rate, mono: info.mode == Int32(MPG123_M_MONO.rawValue))
            if let last = lastHeader, last != header { headerChanges += 1 }
            lastHeader = header
        } else {
            // Layer I/II frames inside an MP3 are false syncs found in damaged bytes.
            otherLayers += 1
            otherLayer = Int(info.layer)
        }
    }

    func report(head: [UInt8], tail: [UInt8], size: Int64, expectedSize: Int64?, sha256: String) -> AudioReport {
        let container = Container(head: head)
        let judged = verdict(container: container, head: head, tail: tail, size: size, expectedSize: expectedSize)
        return AudioReport(
            verdict: judged.verdict, detail: judged.detail, samples: gaplessSamples(container), frames: frames,
            expectedFrames: container.declaredFrames, sampleRate: rate, channels: channels,
            bitrateKbps: frames + otherLayers > 0 ? Double(bitrateSum) / Double(frames + otherLayers) : 0,
            fileSize: size, sha256: sha256
        )
    }

    /// The sample count a gapless decoder (mpg123) outputs: with a Xing/Info header, the encoder
    /// delay plus the decoder's 529 samples are cut at the start, and the LAME padding minus
    /// those 529 at the end when the declared last frame was reached.
    func gaplessSamples(_ container: Container) -> Int64 {
        guard container.tagName == "Xing" || container.tagName == "Info" else { return samples }
        let decoderDelay = 529
        let start = Int64((container.encoderDelay ?? 0) + decoderDelay)
        var end: Int64 = 0
        if let declared = container.declaredFrames, frames >= declared {
            end = Int64(max(0, (container.encoderPadding ?? 0) - decoderDelay))
        }
        return max(0, samples - start - end)
    }

    private func verdict(
        container: Container, head: [UInt8], tail: [UInt8], size: Int64, expectedSize: Int64?
    ) -> (verdict: Verdict, detail: String) {
        let framesText = container.declaredFrames.map { "\(frames) of \($0) frames" } ?? "\(frames) frames"
        if let expectedSize, size < expectedSize {
            return (.truncated, "\(size) of \(expectedSize) bytes received; \(framesText) decoded")
        }
        // A WAV's PCM samples can contain byte pairs that look like MPEG syncs: sniff it first.
        let isRIFF = Container.ascii(head, at: 0, count: 4) == "RIFF"
        if frames == 0, otherLayers > 0, !isRIFF {
            return (.notAudio, "MPEG layer \(otherLayer) audio, not MP3 (layer III)")
        }
        guard frames > 0, !isRIFF else {
            return (.notAudio, Scan.describeNonAudio(head: head, size: size, container: container))
        }
        // Where the audio should start, and what lies after the last frame.
        let audioStart = Int64(container.id3v2Size + (container.infoFrame?.length ?? 0))
        let prefixJunk = (firstFrameAt ?? audioStart) - audioStart
        let after = size - nextFrameAt
        let trailingTags = Int64(Container.trailingTagLength(tail: tail))
        let cutFrame = Scan.cutFrameLength(tail: tail, size: size, lastFrameEnd: nextFrameAt)
        var problems: [String] = []
        if let decoderError { problems.append("decoder error: \(decoderError)") }
        if otherLayers > 0 { problems.append(Scan.plural(otherLayers, "false frame") + " of another layer in damaged bytes") }
        if resyncs > 0 { problems.append(Scan.plural(resyncs, "resync") + " skipping \(skippedBytes) bytes") }
        if headerChanges > 0 { problems.append("format changes " + Scan.plural(headerChanges, "time") + " mid-stream") }
        if prefixJunk > 0 { problems.append("\(prefixJunk) bytes of junk before the first frame") }
        if let declared = container.declaredFrames, frames > declared {
            problems.append("\(frames) frames where the header declares \(declared)")
        } else if frankenstein, headerChanges == 0, otherLayers == 0 {
            problems.append("libmpg123 saw streams stitched together")
        }
        // All the bytes the header declares are there, yet fewer frames: the header overclaims.
        let streamBytes = size - Int64(container.infoFrame?.offset ?? 0) - trailingTags
        if let declared = container.declaredFrames, frames < declared, cutFrame == nil, resyncs == 0, otherLayers == 0,
           let declaredBytes = container.declaredBytes, streamBytes >= Int64(declaredBytes)
        {
            problems.append("the header declares \(declared) frames but all \(declaredBytes) declared bytes hold \(frames)")
        }
        if cutFrame == nil, after > trailingTags {
            problems.append("\(after - trailingTags) bytes of junk after the last frame")
        }
        if !problems.isEmpty { return (.corrupt, "\(framesText); " + problems.joined(separator: "; ")) }
        if let cut = cutFrame {
            return (.truncated, "\(framesText); last frame cut after \(cut) bytes")
        }
        if let declared = container.declaredFrames, frames < declared {
            return (.truncated, "\(framesText) decoded")
        }
        if let declaredBytes = container.declaredBytes, streamBytes < Int64(declaredBytes) {
            return (.truncated, "\(streamBytes) of \(declaredBytes) declared bytes")
        }
        return (.valid, "\(framesText) decoded")
    }

    static func plural(_ count: Int, _ noun: String) -> String {
        "\(count) \(noun)\(count == 1 ? "" : "s")"
    }

    /// When the bytes after the last decoded frame start a frame that does not fit, how many there are.
    static func cutFrameLength(tail: [UInt8], size: Int64, lastFrameEnd: Int64) -> Int64? {
        let after = size - lastFrameEnd
        guard after >= 4, after <= Int64(tail.count) else { return nil }
        let offset = tail.count - Int(after)
        guard let header = FrameHeader(bytes: tail, at: offset), Int64(header.length) > after else { return nil }
        return after
    }

    static func describeNonAudio(head: [UInt8], size: Int64, container: Container) -> String {
        if size == 0 { return "empty file" }
        let text = String(decoding: head.prefix(64), as: UTF8.self).lowercased()
        let trimmed = text.drop { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        if trimmed.hasPrefix("<!doctype html") || trimmed.hasPrefix("<html") || trimmed.hasPrefix("<") {
            return "an HTML or XML page, not audio (\(size) bytes)"
        }
        if trimmed.hasPrefix("{") || trimmed.hasPrefix("[") { return "a JSON document, not audio (\(size) bytes)" }
        if text.hasPrefix("riff") { return "a RIFF/WAV file, not MP3 (\(size) bytes)" }
        if container.id3v2Size > 0, Int64(container.id3v2Size) >= size - 128 {
            return "an ID3 tag and no audio (\(size) bytes)"
        }
        return "no MPEG audio frames in \(size) bytes"
    }
}
