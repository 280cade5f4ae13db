import CMPG123

/// One libmpg123 handle reading one `ByteSource`: float output at the native rate, quiet,
/// gapless mode off (every frame must be seen to catch resyncs; `Scan.gaplessSamples` trims
/// the delay and padding as mpg123 would). Owns the handle and frees it in `deinit`.
final class Decoder {
    private let handle: OpaquePointer
    private let source: ByteSource

    /// What one `decode_frame` call produced.
    enum Step {
        /// `pcm`: the frame's interleaved float samples, valid until the next call (nil when
        /// the frame was not decoded).
        case frame(samples: Int, position: Int64, info: mpg123_frameinfo2, pcm: UnsafePointer<Float>?)
        case newFormat(rate: Int, channels: Int)
        case done
        /// `atEnd`: the reader ran out of bytes mid-frame (a cut last frame, not damage).
        case error(String, atEnd: Bool)
    }

    init(source: ByteSource) throws(AudioCheckError) {
        Decoder.initializeLibrary
        var error: Int32 = 0
        guard let handle = mpg123_new(nil, &error) else {
            throw .decoder(String(cString: mpg123_plain_strerror(error)))
        }
        self.handle = handle
        self.source = source
        // Gapless trimming is computed by the checker from the LAME tag: with it on, libmpg123
        // silently skips the frames inside the encoder delay, hiding them from the frame walk.
        let flags = MPG123_QUIET.rawValue | MPG123_FORCE_FLOAT.rawValue
        try check(ca_mpg123_param(handle, Int32(MPG123_FLAGS.rawValue), Int(flags)))
        // Search past up to `searchLimit` bytes of damage (the default gives up after 1024), so
        // that junk before a stream or inside it is measured instead of ending the decode.
        try check(ca_mpg123_param(handle, Int32(MPG123_RESYNC_LIMIT.rawValue), Int(AudioChecker.searchLimit)))
        // Accept any rate and channel count as float, so nothing is resampled.
        try check(mpg123_format_none(handle))
        for rate in [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000] {
            try check(mpg123_format(handle, rate, Int32(MPG123_MONO.rawValue | MPG123_STEREO.rawValue), Int32(MPG123_ENC_FLOAT_32.rawValue)))
        }
        let context = Unmanaged.passUnretained(source).toOpaque()
        try check(ca_mpg123_open_reader(handle, { context, buffer, count in
            guard let context, let buffer else { return -1 }
            return Unmanaged<ByteSource>.fromOpaque(context).takeUnretainedValue().read(into: buffer, count: count)
        }, context))
    }

    deinit {
        mpg123_close(handle)
        mpg123_delete(handle)
    }

    private static let initializeLibrary: Void = { _ = mpg123_init() }()

    /// A frame parsed but not yet decoded: libmpg123 announced a new format first.
    private var parsed = false

    /// Parses the next frame and decodes it when it is layer III. Layer I/II frames inside an
    /// MP3 are false syncs in damaged bytes: they are counted, never decoded (libmpg123's layer II
    /// decoder prints to stderr about some of them, and their samples are not audio).
    func next() -> Step {
        if !parsed {
            switch mpg123_framebyframe_next(handle) {
            case MPG123_OK.rawValue: break
            case MPG123_NEW_FORMAT.rawValue:
                parsed = true
                var rate = 0
                var channels: Int32 = 0
                var encoding: Int32 = 0
                _ = mpg123_getformat(handle, &rate, &channels, &encoding)
                return .newFormat(rate: rate, channels: Int(channels))
            case MPG123_DONE.rawValue: return .done
            default: return failure()
            }
        }
        parsed = false
        var info = mpg123_frameinfo2()
        _ = ca_mpg123_info(handle, &info)
        let position = ca_mpg123_framepos(handle)
        guard info.layer == 3 else { return .frame(samples: 0, position: position, info: info, pcm: nil) }
        var number: Int64 = 0
        var audio: UnsafeMutablePointer<UInt8>?
        var bytes = 0
        guard ca_mpg123_framebyframe_decode(handle, &number, &audio, &bytes) == MPG123_OK.rawValue else { return failure() }
        let channels = info.mode == Int32(MPG123_M_MONO.rawValue) ? 1 : 2
        let pcm = audio.map { UnsafePointer(UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self)) }
        return .frame(samples: bytes / (4 * channels), position: position, info: info, pcm: pcm)
    }

    private func failure() -> Step {
        let atEnd = mpg123_errcode(handle) == Int32(MPG123_ERR_READER.rawValue) && source.readError == 0
        return .error(String(cString: mpg123_strerror(handle)), atEnd: atEnd)
    }

    /// True when libmpg123 saw a stream that continues past what its Xing header declared.
    var isFrankenstein: Bool { ca_mpg123_state(handle, Int32(MPG123_FRANKENSTEIN.rawValue)) != 0 }

    private func check(_ result: Int32) throws(AudioCheckError) {
        guard result == MPG123_OK.rawValue else {
            throw .decoder(String(cString: mpg123_strerror(handle)))
        }
    }
}

@available(*, unavailable)
extension Decoder: Sendable {}
