import AudioCheck
import Simulator

/// The MPEG frame header parser. Input `i < 2^21` is the i-th of all 2,097,152 headers that
/// start with a sync word, always all of them; `--count` more are random bytes. Property: a header parses exactly when none of its fields holds a value the
/// standard reserves, and a parsed header describes a frame that can exist.
struct FrameHeaderTarget: FuzzTarget {
    let name = "header"
    static let synced = 1 << 21
    static let rates: Set<Int> = [8000, 11025, 12000, 16000, 22050, 24000, 32000, 44100, 48000]

    func input(_ index: Int, _ random: inout InputRandom) -> [UInt8] {
        guard index < Self.synced else { return random.bytes(4) }
        return [0xFF, 0xE0 | UInt8(index >> 16 & 0x1F), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF)]
    }

    func check(_ bytes: [UInt8]) -> String? {
        let header = FrameHeader(bytes[0], bytes[1], bytes[2], bytes[3])
        let sync = bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0
        let reserved = (bytes[1] >> 3) & 3 == 1 || (bytes[1] >> 1) & 3 == 0 || bytes[2] >> 4 == 0 || bytes[2] >> 4 == 15
            || (bytes[2] >> 2) & 3 == 3
        guard let header else { return sync && !reserved ? "a valid header was refused" : nil }
        if !sync || reserved { return "a header with a reserved field or no sync parsed" }
        guard (1...3).contains(header.layer), Self.rates.contains(header.sampleRate), header.bitrateKbps > 0,
              [384, 576, 1152].contains(header.samplesPerFrame)
        else { return "impossible fields: \(header)" }
        // The smallest layer III frame (MPEG-2, 8 kbit/s, 24 kHz, stereo) is 24 bytes: its
        // header and side information must fit. No frame of any layer exceeds 2,881 bytes.
        guard header.length >= (header.layer == 3 ? header.xingOffset : 32), header.length <= 2881 else {
            return "impossible length \(header.length)"
        }
        return nil
    }

    func bytes(_ input: [UInt8]) -> [UInt8] { input }
}

/// The container parse around the audio: ID3v2 tags, Xing/Info/LAME and VBRI headers at the
/// head, ID3v1/APEv2 tags at the tail, on real recordings with mutations. Property: no crash,
/// and everything it reports lies inside the bytes it was given.
struct ContainerTarget: FuzzTarget {
    let name = "container"
    let recordings = [Recording(seconds: 3), Recording(seconds: 40)]

    struct Input {
        var head: [UInt8]
        var tail: [UInt8]
    }

    func input(_ index: Int, _ random: inout InputRandom) -> Input {
        let recording = random.pick(recordings)
        var head = recording.bytes(0..<min(recording.byteCount, random.int(4..<8192)))
        if random.chance(0.3) {
            // One or more ID3v2 tags, with sizes that may lie.
            for _ in 0..<random.int(1..<3) {
                let size = random.chance(0.5) ? random.int(0..<600) : random.int(0..<(1 << 28))
                let tag: [UInt8] = [0x49, 0x44, 0x33, 4, 0, random.chance(0.2) ? 0x10 : 0,
                    UInt8(size >> 21 & 0x7F), UInt8(size >> 14 & 0x7F), UInt8(size >> 7 & 0x7F), UInt8(size & 0x7F)]
                head.insert(contentsOf: tag + random.bytes(min(size, random.int(0..<600))), at: 0)
            }
        }
        for _ in 0..<random.int(0..<6) {
            guard !head.isEmpty else { break }
            let at = random.chance(0.7) ? random.int(0..<min(head.count, 200)) : random.int(0..<head.count)
            switch random.int(0..<3) {
            case 0: head[at] ^= UInt8(1 << random.int(0..<8))
            case 1: head[at] = UInt8.random(in: 0...255, using: &random)
            default: head.removeSubrange(at..<head.count)
            }
        }
        var tail = random.bytes(random.int(0..<512))
        for _ in 0..<random.int(0..<3) {
            let marker: [UInt8] = random.chance(0.5) ? Array("TAG".utf8) : Array("APETAGEX".utf8)
            if marker.count == 3 {
                tail += marker + random.bytes(125)
            } else {
                tail += marker + random.bytes(4) + (0..<4).map { _ in UInt8.random(in: 0...255, using: &random) } + random.bytes(16)
            }
        }
        return Input(head: head, tail: tail)
    }

    func check(_ input: Input) -> String? {
        let container = Container(head: input.head)
        if let frame = container.infoFrame, frame.offset != container.id3v2Size || frame.length <= 0 {
            return "info frame \(frame) does not follow the tags (\(container.id3v2Size) bytes)"
        }
        if let delay = container.encoderDelay, !(0...4095).contains(delay) { return "encoder delay \(delay)" }
        if let padding = container.encoderPadding, !(0...4095).contains(padding) { return "encoder padding \(padding)" }
        if let frames = container.declaredFrames, frames < 0 { return "negative frame count" }
        let trailing = Container.trailingTagLength(tail: input.tail)
        if !(0...input.tail.count).contains(trailing) { return "trailing tags of \(trailing) bytes in a \(input.tail.count)-byte tail" }
        return nil
    }

    func bytes(_ input: Input) -> [UInt8] { input.head + Array("\n--tail--\n".utf8) + input.tail }
}
