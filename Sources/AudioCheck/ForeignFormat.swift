/// Names a file that is not MP3 from its magic bytes (MP4/M4A/3GP, ADTS AAC, Ogg, FLAC, WAV, AMR…),
/// so that a `not_audio` detail says what the file is. A recording saved under `.mp3` is often one
/// of these, and their compressed payload holds byte pairs that look like MPEG frame syncs.
package enum ForeignFormat {
    /// What starts at `offset` of `head` (the start of the file, or the end of its ID3v2 tags), as a
    /// noun phrase ("an Ogg (Opus) file"); nil when no known format starts there. `tail` is the
    /// file's end, where an MP4 keeps its track list unless it was written for streaming.
    package static func name(head: [UInt8], tail: [UInt8], at offset: Int) -> String? {
        let magic = Container.ascii(head, at: offset, count: 4)
        switch magic {
        case "RIFF", "RIFX", "RF64":
            return riff(head, at: offset)
        case "OggS":
            return ogg(head, at: offset)
        case "fLaC":
            return "a FLAC file"
        case "#!AM":
            guard Container.ascii(head, at: offset, count: 5) == "#!AMR" else { return nil }
            return Container.ascii(head, at: offset, count: 8) == "#!AMR-WB" ? "an AMR-WB file" : "an AMR file"
        case "FORM":
            let kind = Container.ascii(head, at: offset + 8, count: 4)
            return kind == "AIFF" || kind == "AIFC" ? "an AIFF file" : nil
        case ".snd":
            return "an AU file"
        case "caff":
            return "a CAF file"
        case "#!SI":
            return Container.ascii(head, at: offset, count: 6) == "#!SILK" ? "a SILK file" : nil
        default:
            break
        }
        if Container.ascii(head, at: offset + 4, count: 4) == "ftyp" {
            return mp4(head: head, tail: tail, at: offset)
        }
        if starts(head, at: offset, with: [0x1A, 0x45, 0xDF, 0xA3]) { return "a Matroska/WebM file" }
        if starts(head, at: offset, with: [0x30, 0x26, 0xB2, 0x75, 0x8E, 0x66, 0xCF, 0x11]) { return "an ASF/WMA file" }
        if isADTS(head, at: offset) { return "an ADTS AAC file" }
        return nil
    }

    private static func starts(_ bytes: [UInt8], at offset: Int, with magic: [UInt8]) -> Bool {
        offset + magic.count <= bytes.count && bytes[offset..<(offset + magic.count)].elementsEqual(magic)
    }

    /// ADTS (raw AAC) frames start with the 12-bit sync 0xFFF and layer bits 00, which no MPEG
    /// audio frame has; the frame length field must lead to the next ADTS header.
    static func isADTS(_ bytes: [UInt8], at offset: Int) -> Bool {
        func header(at position: Int) -> Int? {
            guard position + 7 <= bytes.count, bytes[position] == 0xFF, bytes[position + 1] & 0xF6 == 0xF0 else { return nil }
            let length = Int(bytes[position + 3] & 3) << 11 | Int(bytes[position + 4]) << 3 | Int(bytes[position + 5] >> 5)
            return length >= 7 ? length : nil
        }
        guard let length = header(at: offset) else { return false }
        return offset + length >= bytes.count || header(at: offset + length) != nil
    }

    /// A RIFF file: a WAV names its codec from the `fmt ` chunk's format tag.
    private static func riff(_ head: [UInt8], at offset: Int) -> String? {
        switch Container.ascii(head, at: offset + 8, count: 4) {
        case "WAVE": break
        case "AVI ": return "an AVI file"
        default: return "a RIFF file"
        }
        var chunk = offset + 12
        while let id = Container.ascii(head, at: chunk, count: 4), chunk + 10 <= head.count {
            let size = Int(littleEndian(head, at: chunk + 4, count: 4))
            if id == "fmt " {
                let codecs: [UInt32: String] = [
                    1: "PCM", 3: "float PCM", 6: "A-law", 7: "µ-law", 0x11: "IMA ADPCM", 0x31: "GSM 6.10",
                    0x50: "MPEG layer I/II", 0x55: "MP3", 0xFFFE: "PCM",
                ]
                return codecs[littleEndian(head, at: chunk + 8, count: 2)].map { "a WAV (\($0)) file" } ?? "a WAV file"
            }
            chunk += 8 + size + size % 2
        }
        return "a WAV file"
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, count: Int) -> UInt32 {
        (0..<count).reversed().reduce(0) { $0 << 8 | UInt32(bytes[offset + $1]) }
    }

    /// An Ogg file names its codec in the first packet of its first page.
    private static func ogg(_ head: [UInt8], at offset: Int) -> String {
        guard offset + 27 <= head.count else { return "an Ogg file" }
        let packet = offset + 27 + Int(head[offset + 26])
        let codecs: [(magic: [UInt8], name: String)] = [
            (Array("OpusHead".utf8), "Opus"), ([1] + Array("vorbis".utf8), "Vorbis"),
            ([0x7F] + Array("FLAC".utf8), "FLAC"), (Array("Speex   ".utf8), "Speex"),
        ]
        let codec = codecs.first { starts(head, at: packet, with: $0.magic) }
        return codec.map { "an Ogg (\($0.name)) file" } ?? "an Ogg file"
    }

    /// An ISO media file (MP4, M4A, 3GP): the brand says which, the first sample entry in the
    /// `stsd` box names the codec.
    private static func mp4(head: [UInt8], tail: [UInt8], at offset: Int) -> String {
        let brand = Container.ascii(head, at: offset + 8, count: 4) ?? ""
        let kind = brand.hasPrefix("3gp") || brand.hasPrefix("3g2") ? "a 3GP" : "an MP4/M4A"
        let codecs = [
            "mp4a": "AAC", "samr": "AMR", "sawb": "AMR-WB", "alac": "ALAC", "Opus": "Opus", "fLaC": "FLAC",
            ".mp3": "MP3", "ac-3": "AC-3", "ec-3": "E-AC-3", "ulaw": "µ-law", "alaw": "A-law", "avc1": "H.264 video",
        ]
        let entry = sampleEntry(head) ?? sampleEntry(tail)
        return entry.flatMap { codecs[$0] }.map { "\(kind) (\($0)) file" } ?? "\(kind) file"
    }

    /// The four-character type of the first sample entry after an `stsd` box header.
    private static func sampleEntry(_ bytes: [UInt8]) -> String? {
        let stsd = Array("stsd".utf8)
        guard bytes.count >= 20 else { return nil }
        for index in 0...(bytes.count - 20) where bytes[index] == stsd[0] && starts(bytes, at: index, with: stsd) {
            return Container.ascii(bytes, at: index + 16, count: 4)
        }
        return nil
    }
}
