import CMPG123
import Foundation
import Model

/// Decodes an MP3 file end to end and judges it (docs/contract.md §6): one pass over the bytes gives the
/// sha256, the exact gapless duration, the frame count and the verdict, and an `AudioMeter`
/// fed the same decoded samples gives the audio metrics (docs/contract.md §10).
public struct AudioChecker: Sendable {
    /// False to leave the audio metrics out (`report.metrics` stays nil): the decode alone,
    /// about half the work, for a file whose metrics are known (libebur128's loudness costs
    /// about as much as the decode; bench/analysis.md).
    public let measuring: Bool

    public init(measuring: Bool = true) {
        self.measuring = measuring
    }

    /// How many bytes past its ID3v2 tags a file's audio stream must begin within, and the
    /// longest damage libmpg123 searches through. libmpg123 reads a byte at a time while it
    /// searches, so a large file of junk is only hashed past this point, not searched.
    static let searchLimit: Int64 = 1 << 20

    /// Checks the file at `path`. `expectedSize` is the size the server promised
    /// (`Content-Length`); a shorter file is `truncated` even without a Xing header.
    public func check(fileAt path: String, expectedSize: Int64? = nil) throws(AudioCheckError) -> AudioReport {
        let source = try ByteSource(path: path)
        var scan = Scan()
        var meter: AudioMeter?
        do {
            let decoder = try Decoder(source: source)
            var searchEnd: Int64?
            decoding: while true {
                switch decoder.next() {
                case let .frame(samples, position, info, pcm):
                    scan.add(frameAt: position, size: Int(info.framesize), samples: samples, info: info)
                    // The meter hears the audio in the format it began with.
                    if let meter, let pcm, meter.rate == scan.rate, meter.channels == scan.channels {
                        meter.add(pcm, frames: samples)
                    }
                    searchEnd = searchEnd ?? Int64(Container(head: source.head).id3v2Size) + Self.searchLimit
                    if scan.stream == nil, let searchEnd, source.bytesRead > searchEnd { break decoding }
                case let .newFormat(rate, channels):
                    scan.format(rate: rate, channels: channels)
                    if measuring, meter == nil {
                        meter = AudioMeter(rate: rate, channels: channels, skipping: Scan.gaplessStart(Container(head: source.head)))
                    }
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
        var report = scan.report(
            head: source.head, tail: source.tail, size: source.bytesRead,
            expectedSize: expectedSize, sha256: source.sha256
        )
        if report.frames > 0, report.verdict != .notAudio { report.metrics = meter?.finish() }
        return report
    }
}

/// What the decoder showed, frame by frame, and the rules that turn it into a verdict.
struct Scan {
    /// Counts that grow frame by frame; a snapshot of them marks where the audio stream began.
    struct Tally: Equatable {
        var frames = 0
        var samples: Int64 = 0
        var skippedBytes: Int64 = 0
        var resyncs = 0
        var otherLayers = 0
        var bitrateSum = 0
        var headerChanges = 0
    }

    /// Consecutive frames, each starting where the last one ended and of one format, that make
    /// bytes an MPEG audio stream (docs/verification.md). Random bytes hold a false sync every few
    /// kilobytes, and libmpg123 decodes single false frames; four in a row practically never occur.
    static let minimumRun = 4

    var tally = Tally()
    var rate = 0
    var channels = 0
    var firstFrameAt: Int64?
    var nextFrameAt: Int64 = 0
    var decoderError: String?
    var frankenstein = false
    var lastHeader: Header?
    /// The run of consecutive frames the last frame belongs to.
    var run = 0
    var runHeader: Header?
    var runStart: (position: Int64, tally: Tally) = (0, Tally())
    var longestRun = 0
    /// Where the first run of `minimumRun` frames began, and its format: the audio stream.
    var stream: (start: Int64, header: Header)?
    /// What came before the stream: junk, whatever false frames it held, left out of the counts.
    var beforeStream = Tally()

    /// What must stay the same from frame to frame in one recording.
    struct Header: Hashable {
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
        let header = Header(version: info.version, layer: info.layer, rate: info.rate, mono: info.mode == Int32(MPG123_M_MONO.rawValue))
        let continues = firstFrameAt != nil && position == nextFrameAt
        if firstFrameAt == nil {
            firstFrameAt = position
        } else if !continues {
            tally.resyncs += 1
            tally.skippedBytes += abs(position - nextFrameAt)
        }
        nextFrameAt = position + Int64(size)
        if info.layer == 3 {
            if let last = lastHeader, last != header { tally.headerChanges += 1 }
            lastHeader = header
        }
        if continues, header == runHeader {
            run += 1
        } else {
            (run, runHeader, runStart) = (1, header, (position, tally))
        }
        longestRun = max(longestRun, run)
        tally.bitrateSum += Int(info.bitrate)
        if info.layer == 3 {
            tally.frames += 1
            tally.samples += Int64(samples)
        } else {
            // Layer I/II frames inside an MP3 are false syncs found in damaged bytes.
            tally.otherLayers += 1
        }
        // The stream begins with the first run long enough. Frames before it were false syncs
        // in junk (or frames too damaged to tell apart from them): their bytes count as junk.
        if stream == nil, run >= Scan.minimumRun {
            stream = (runStart.position, header)
            beforeStream = runStart.tally
        }
    }

    /// The counts of the audio: everything but the junk before the stream, and but a VBRI frame,
    /// which libmpg123 (unlike a Xing/Info frame) decodes as a frame of silence.
    func audio(_ container: Container) -> Tally {
        var audio = tally
        if container.tagName == "VBRI", let info = container.infoFrame, firstFrameAt == Int64(info.offset), audio.frames > 0 {
            audio.frames -= 1
        }
        audio.frames -= beforeStream.frames
        audio.samples -= beforeStream.samples
        audio.skippedBytes -= beforeStream.skippedBytes
        audio.resyncs -= beforeStream.resyncs
        audio.otherLayers -= beforeStream.otherLayers
        audio.bitrateSum -= beforeStream.bitrateSum
        audio.headerChanges -= beforeStream.headerChanges
        return audio
    }

    func report(head: [UInt8], tail: [UInt8], size: Int64, expectedSize: Int64?, sha256: String) -> AudioReport {
        let container = Container(head: head)
        let judged = verdict(container: container, head: head, tail: tail, size: size, expectedSize: expectedSize)
        // Frames found in what is not audio are false syncs: a not_audio report has no audio.
        let audio = judged.verdict == .notAudio ? Tally() : self.audio(container)
        let found = audio.frames + audio.otherLayers
        return AudioReport(
            verdict: judged.verdict, detail: judged.detail, samples: gaplessSamples(container, audio), frames: audio.frames,
            expectedFrames: container.declaredFrames, sampleRate: found > 0 ? rate : 0, channels: found > 0 ? channels : 0,
            bitrateKbps: found > 0 ? Double(audio.bitrateSum) / Double(found) : 0,
            fileSize: size, sha256: sha256
        )
    }

    /// The sample count a gapless decoder (mpg123) outputs: with a Xing/Info header, the encoder
    /// delay plus the decoder's 529 samples are cut at the start, and the LAME padding minus
    /// those 529 at the end when the declared last frame was reached.
    func gaplessSamples(_ container: Container, _ audio: Tally) -> Int64 {
        guard audio.frames > 0, container.tagName == "Xing" || container.tagName == "Info" else { return audio.samples }
        let start = Int64(Self.gaplessStart(container))
        var end: Int64 = 0
        if let declared = container.declaredFrames, audio.frames >= declared {
            end = Int64(max(0, (container.encoderPadding ?? 0) - Self.decoderDelay))
        }
        return max(0, audio.samples - start - end)
    }

    static let decoderDelay = 529

    /// The samples a gapless decoder leaves out at the start: with a Xing/Info header, the
    /// encoder delay plus the decoder's 529; none without.
    static func gaplessStart(_ container: Container) -> Int {
        guard container.tagName == "Xing" || container.tagName == "Info" else { return 0 }
        return (container.encoderDelay ?? 0) + decoderDelay
    }

    /// Where the audio should start and what lies after the last frame.
    struct Layout {
        let audioStart: Int64
        let after: Int64
        let trailingTags: Int64
        let cutFrame: Int64?
        /// Bytes from the info frame on, trailing tags left out.
        let streamBytes: Int64

        init(container: Container, tail: [UInt8], size: Int64, lastFrameEnd: Int64) {
            audioStart = Int64(container.id3v2Size + (container.infoFrame?.length ?? 0))
            after = size - lastFrameEnd
            trailingTags = Int64(Container.trailingTagLength(tail: tail))
            cutFrame = Scan.cutFrameLength(tail: tail, size: size, lastFrameEnd: lastFrameEnd)
            streamBytes = size - Int64(container.infoFrame?.offset ?? 0) - trailingTags
        }
    }

    private func verdict(
        container: Container, head: [UInt8], tail: [UInt8], size: Int64, expectedSize: Int64?
    ) -> (verdict: Verdict, detail: String) {
        // Other containers' payloads (AAC, PCM, FLAC…) hold byte pairs that look like MPEG syncs.
        if let name = ForeignFormat.name(head: head, tail: tail, at: container.id3v2Size) {
            return (.notAudio, "\(name), not MP3 (\(size) bytes)")
        }
        let audio = self.audio(container)
        let declared = container.declaredFrames(decoded: audio.frames)
        let framesText = declared.map { "\(audio.frames) of " + Scan.plural($0, "frame") } ?? Scan.plural(audio.frames, "frame")
        if let expectedSize, size < expectedSize {
            return (.truncated, "\(size) of \(expectedSize) bytes received; \(framesText) decoded")
        }
        let layout = Layout(container: container, tail: tail, size: size, lastFrameEnd: nextFrameAt)
        switch streamLayer(layout) {
        case nil: return (.notAudio, Scan.describeNonAudio(head: head, size: size, container: container))
        case let layer? where layer != 3: return (.notAudio, "MPEG layer \(layer) audio, not MP3 (layer III)")
        default: break
        }
        let problems = problems(container: container, declared: declared, layout: layout, audio: audio)
        if !problems.isEmpty { return (.corrupt, "\(framesText); " + problems.joined(separator: "; ")) }
        if let cut = layout.cutFrame {
            return (.truncated, "\(framesText); last frame cut after \(cut) bytes")
        }
        if let declared, audio.frames < declared {
            return (.truncated, "\(framesText) decoded")
        }
        if let declaredBytes = container.declaredBytes, layout.streamBytes < Int64(declaredBytes) {
            return (.truncated, "\(layout.streamBytes) of \(declaredBytes) declared bytes")
        }
        return (.valid, "\(framesText) decoded")
    }

    /// The layer of the MPEG audio stream: the first run of `minimumRun` frames, or frames that
    /// fill the whole file (a recording shorter than the run). Nil when there is none.
    func streamLayer(_ layout: Layout) -> Int32? {
        if let stream { return stream.header.layer }
        let onlyFrames = longestRun == tally.frames + tally.otherLayers && firstFrameAt == layout.audioStart
            && decoderError == nil && (layout.after == layout.trailingTags || layout.cutFrame != nil)
        return onlyFrames ? runHeader?.layer : nil
    }

    /// Everything that makes a stream of MP3 frames `corrupt`.
    private func problems(container: Container, declared: Int?, layout: Layout, audio: Tally) -> [String] {
        let prefixJunk = (stream?.start ?? firstFrameAt ?? layout.audioStart) - layout.audioStart
        var problems: [String] = []
        if let decoderError { problems.append("decoder error: \(decoderError)") }
        if audio.otherLayers > 0 { problems.append(Scan.plural(audio.otherLayers, "false frame") + " of another layer in damaged bytes") }
        if audio.resyncs > 0 { problems.append(Scan.plural(audio.resyncs, "resync") + " skipping \(audio.skippedBytes) bytes") }
        if audio.headerChanges > 0 { problems.append("format changes " + Scan.plural(audio.headerChanges, "time") + " mid-stream") }
        if prefixJunk > 0 { problems.append("\(prefixJunk) bytes of junk before the first frame") }
        if let declared, audio.frames > declared {
            problems.append("\(audio.frames) frames where the header declares \(declared)")
        } else if frankenstein, audio.headerChanges == 0, audio.otherLayers == 0, beforeStream == Tally() {
            // (False frames in junk before the stream also set libmpg123's flag.)
            problems.append("libmpg123 saw streams stitched together")
        }
        // All the bytes the header declares are there, yet fewer frames: the header overclaims.
        if let declared, audio.frames < declared, layout.cutFrame == nil, audio.resyncs == 0,
           audio.otherLayers == 0, let declaredBytes = container.declaredBytes, layout.streamBytes >= Int64(declaredBytes)
        {
            problems.append("the header declares \(declared) frames but all \(declaredBytes) declared bytes hold \(audio.frames)")
        }
        if layout.cutFrame == nil, layout.after > layout.trailingTags {
            problems.append("\(layout.after - layout.trailingTags) bytes of junk after the last frame")
        }
        return problems
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
        if container.id3v2Size > 0, Int64(container.id3v2Size) >= size - 128 {
            return "an ID3 tag and no audio (\(size) bytes)"
        }
        return "no MPEG audio stream in \(size) bytes"
    }
}
