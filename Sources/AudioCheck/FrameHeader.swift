/// An MPEG audio frame header (4 bytes), parsed without libmpg123 so the checker can reason
/// about bytes the decoder skipped or never reached.
package struct FrameHeader: Equatable {
    package enum Version: Equatable { case mpeg1, mpeg2, mpeg25 }

    package let version: Version
    /// 1, 2 or 3.
    package let layer: Int
    package let bitrateKbps: Int
    package let sampleRate: Int
    package let padding: Bool
    package let channels: Int

    package init?(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8, _ b3: UInt8) {
        guard b0 == 0xFF, b1 & 0xE0 == 0xE0 else { return nil }
        switch (b1 >> 3) & 3 {
        case 0: version = .mpeg25
        case 2: version = .mpeg2
        case 3: version = .mpeg1
        default: return nil
        }
        switch (b1 >> 1) & 3 {
        case 1: layer = 3
        case 2: layer = 2
        case 3: layer = 1
        default: return nil
        }
        let bitrateIndex = Int(b2 >> 4), rateIndex = Int((b2 >> 2) & 3)
        guard bitrateIndex != 0, bitrateIndex != 15, rateIndex != 3 else { return nil }
        let rates = [44100, 48000, 32000]
        switch version {
        case .mpeg1: sampleRate = rates[rateIndex]
        case .mpeg2: sampleRate = rates[rateIndex] / 2
        case .mpeg25: sampleRate = rates[rateIndex] / 4
        }
        let table: [Int]
        switch (version, layer) {
        case (.mpeg1, 1): table = [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448]
        case (.mpeg1, 2): table = [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384]
        case (.mpeg1, _): table = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320]
        case (_, 1): table = [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256]
        default: table = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160]
        }
        bitrateKbps = table[bitrateIndex]
        padding = (b2 >> 1) & 1 == 1
        channels = b3 >> 6 == 3 ? 1 : 2
    }

    init?(bytes: [UInt8], at offset: Int) {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        self.init(bytes[offset], bytes[offset + 1], bytes[offset + 2], bytes[offset + 3])
    }

    package var samplesPerFrame: Int {
        switch layer {
        case 1: 384
        case 2: 1152
        default: version == .mpeg1 ? 1152 : 576
        }
    }

    /// Whole frame length in bytes, header included.
    package var length: Int {
        let pad = padding ? 1 : 0
        switch layer {
        case 1: return (12 * bitrateKbps * 1000 / sampleRate + pad) * 4
        case 2: return 144 * bitrateKbps * 1000 / sampleRate + pad
        default: return (version == .mpeg1 ? 144 : 72) * bitrateKbps * 1000 / sampleRate + pad
        }
    }

    /// Offset of a Xing/Info tag inside a layer III frame (after the side information).
    package var xingOffset: Int {
        switch (version, channels) {
        case (.mpeg1, 1): 4 + 17
        case (.mpeg1, _): 4 + 32
        case (_, 1): 4 + 9
        default: 4 + 17
        }
    }
}
