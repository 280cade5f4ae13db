/// What the bytes around the audio declare: tags, and the stream length an encoder wrote down.
package struct Container {
    /// Bytes of ID3v2 tags at the start of the file (0 when none).
    package var id3v2Size = 0
    /// Offset and length of a Xing/Info or VBRI frame, which holds no audio.
    package var infoFrame: (offset: Int, length: Int)?
    package var declaredFrames: Int?
    /// Bytes the Xing/Info header says the stream has (from the info frame on).
    package var declaredBytes: Int?
    /// The LAME tag's encoder delay and padding, in samples.
    package var encoderDelay: Int?
    package var encoderPadding: Int?
    package var tagName: String?

    /// Parses the head of a file: ID3v2 tags (possibly several), then the first frame's
    /// Xing/Info (with a LAME extension) or VBRI header.
    package init(head: [UInt8]) {
        var offset = 0
        while let size = Container.id3v2Length(head, at: offset) {
            offset += size
        }
        id3v2Size = offset
        guard let header = FrameHeader(bytes: head, at: offset), header.layer == 3 else { return }
        let xing = offset + header.xingOffset
        if let tag = Container.ascii(head, at: xing, count: 4), tag == "Xing" || tag == "Info" {
            tagName = tag
            infoFrame = (offset, header.length)
            guard let flags = Container.uint32(head, at: xing + 4) else { return }
            var field = xing + 8
            if flags & 1 != 0 {
                declaredFrames = Container.uint32(head, at: field).map(Int.init)
                field += 4
            }
            if flags & 2 != 0 {
                declaredBytes = Container.uint32(head, at: field).map(Int.init)
                field += 4
            }
            if flags & 4 != 0 { field += 100 }
            if flags & 8 != 0 { field += 4 }
            if let encoder = Container.ascii(head, at: field, count: 4), encoder == "LAME" || encoder == "Lavf" || encoder == "Lavc",
               field + 24 <= head.count
            {
                let packed = Int(head[field + 21]) << 16 | Int(head[field + 22]) << 8 | Int(head[field + 23])
                encoderDelay = packed >> 12
                encoderPadding = packed & 0xFFF
            }
        } else if let tag = Container.ascii(head, at: offset + 36, count: 4), tag == "VBRI" {
            tagName = tag
            infoFrame = (offset, header.length)
            // VBRI: "VBRI", version(2), delay(2), quality(2), bytes(4), frames(4).
            declaredBytes = Container.uint32(head, at: offset + 36 + 10).map(Int.init)
            declaredFrames = Container.uint32(head, at: offset + 36 + 14).map(Int.init)
        }
    }

    /// The audio frame count to hold `decoded` audio frames against. Encoders disagree on
    /// whether VBRI's count includes the VBRI frame itself (mp3val expects it to, ffmpeg does
    /// not): both are right.
    package func declaredFrames(decoded: Int) -> Int? {
        guard let declaredFrames else { return nil }
        return tagName == "VBRI" && declaredFrames == decoded + 1 ? decoded : declaredFrames
    }

    /// The length of an ID3v2 tag starting at `offset`, footer included.
    static func id3v2Length(_ bytes: [UInt8], at offset: Int) -> Int? {
        guard offset + 10 <= bytes.count, ascii(bytes, at: offset, count: 3) == "ID3",
              bytes[offset + 3] < 0xFF, bytes[offset + 4] < 0xFF,
              bytes[(offset + 6)...(offset + 9)].allSatisfy({ $0 < 0x80 })
        else { return nil }
        let size = bytes[(offset + 6)...(offset + 9)].reduce(0) { $0 << 7 | Int($1) }
        let footer = bytes[offset + 5] & 0x10 != 0 ? 10 : 0
        return 10 + size + footer
    }

    static func ascii(_ bytes: [UInt8], at offset: Int, count: Int) -> String? {
        guard offset >= 0, offset + count <= bytes.count else { return nil }
        let slice = bytes[offset..<(offset + count)]
        guard slice.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        return String(decoding: slice, as: UTF8.self)
    }

    static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32? {
        guard offset >= 0, offset + 4 <= bytes.count else { return nil }
        return bytes[offset..<(offset + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Bytes of tags that legitimately end a file (ID3v1, APEv2, Lyrics3 is not handled),
    /// given the file's last bytes.
    package static func trailingTagLength(tail: [UInt8]) -> Int {
        var end = tail.count
        var total = 0
        while true {
            if end >= 128, ascii(tail, at: end - 128, count: 3) == "TAG" {
                end -= 128
                total += 128
                continue
            }
            if end >= 32, ascii(tail, at: end - 32, count: 8) == "APETAGEX" {
                let size = Int(tail[end - 20]) | Int(tail[end - 19]) << 8 | Int(tail[end - 18]) << 16 | Int(tail[end - 17]) << 24
                let hasHeader = tail[end - 9] & 0x80 != 0
                let length = size + (hasHeader ? 32 : 0)
                guard length <= end, length >= 32 else { break }
                end -= length
                total += length
                continue
            }
            break
        }
        return total
    }
}
