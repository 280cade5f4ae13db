import Foundation

/// The simulator's speech: 8 kHz mono 32 kbps MP3 frames without tags (made by the fixture
/// script, embedded at build time). Its first frame uses no bit reservoir, so the frames can be
/// repeated end to end to make recordings of any length without storing them.
struct Voice: Sendable {
    let bytes: [UInt8]
    /// Length of every frame (CBR without padding: all the same).
    let frameLength: Int
    let samplesPerFrame = 576
    let sampleRate = 8000

    static let shared: Voice = {
        guard let file = Embedded.files.first(where: { $0.name == "voice.mp3" }),
              let data = Data(base64Encoded: file.contents)
        else { fatalError("the simulator's voice sample was not embedded at build time") }
        return Voice(bytes: Array(data))
    }()

    init(bytes: [UInt8]) {
        self.bytes = bytes
        // MPEG-2.5 layer III: 72 × bitrate ÷ rate bytes per frame.
        let bitrates = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        frameLength = 72 * bitrates[Int(bytes[2] >> 4)] * 1000 / sampleRate
        precondition(bytes.count % frameLength == 0, "voice sample must be whole CBR frames")
    }

    var frameCount: Int { bytes.count / frameLength }

    /// A header-only Xing "Info" frame declaring `frames` audio frames and `totalBytes`.
    func infoFrame(frames: Int, totalBytes: Int) -> [UInt8] {
        var frame = [UInt8](repeating: 0, count: frameLength)
        frame[0...3] = bytes[0...3]
        let tag = 4 + 9  // MPEG-2.5 mono side information is 9 bytes
        frame[tag..<(tag + 4)] = ArraySlice("Info".utf8)
        func put(_ value: Int, at offset: Int) {
            for i in 0..<4 { frame[offset + i] = UInt8((value >> (24 - 8 * i)) & 0xFF) }
        }
        put(3, at: tag + 4)
        put(frames, at: tag + 8)
        put(totalBytes, at: tag + 12)
        return frame
    }
}
