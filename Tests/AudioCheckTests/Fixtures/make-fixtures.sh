#!/usr/bin/env bash
# make-fixtures.sh - (re)generate the MP3 test fixtures for AudioCheckTests and the
# simulator's voice sample. Deterministic and idempotent: rerunning it rewrites the same
# bytes (given the same tool versions: espeak-ng 1.51, sox 14.4, LAME 3.100, TwoLAME 0.4,
# mpg123 1.31, ffmpeg 5.1 on Debian 12).
#
# Rerun:   bash Tests/AudioCheckTests/Fixtures/make-fixtures.sh     (from any directory)
# Needs:   apt-get install espeak-ng sox libsox-fmt-all lame twolame mpg123 ffmpeg python3
#
# All speech is espeak-ng reading fixed restaurant phone-order sentences, resampled with
# sox (repeatable mode, no dither) and encoded with lame/twolame. Broken files are cut or
# patched from the good ones at offsets computed by the MPEG frame walker embedded below
# (mp3tool.py), so they stay correct when the good files change. "Seeded" bytes are SHA-256
# in counter mode over a fixed label, so they are the same on every machine.
#
# Good files (should pass the audio check):
#   tel-8k-cbr32.mp3        8 kHz mono, 32 kbps CBR, MPEG-2.5 Layer III, LAME Info tag
#                           (lame's default for CBR) - telephony-like.
#   wb-16k-vbr.mp3          16 kHz mono VBR (lame -V 4), MPEG-2 Layer III, Xing + LAME tag.
#   cd-44k-stereo-128.mp3   44.1 kHz joint stereo, 128 kbps CBR, Info tag. Left channel is
#                           the caller, right channel the staff member answering (a dialog).
#   notag-8k.mp3            8 kHz mono 32 kbps CBR, lame -t: no Xing/Info frame, no ID3;
#                           the file starts directly with an 0xFF 0xEx frame sync.
# Container branches (good unless said otherwise; made with other settings or tags):
#   lavf-22k-cbr32.mp3      22.05 kHz mono 32 kbps CBR from ffmpeg's libmp3lame with its
#                           defaults: an empty 20-byte ID3v2.4 tag, then an Info frame whose
#                           LAME extension names "Lavf lame" (delay 576, padding 1017).
#   lame-delay-1200-pad-200.mp3
#                           22.05 kHz mono VBR (lame -V 6) with the LAME tag's encoder delay
#                           and padding patched to 1200 and 200 (CRC recomputed): the start
#                           cut spans four frames, and the padding is below the decoder's
#                           529-sample delay, so nothing is cut at the end.
#   vbri-16k.mp3            wb-16k-vbr with its Xing frame replaced by a Fraunhofer VBRI frame
#                           of the same size: zero side info, "VBRI" at offset 36, version 1,
#                           delay 576, quality 75, the right stream bytes and frame count
#                           (378 audio frames, as a Xing header counts), a TOC.
#   vbri-16k-self-counted.mp3
#                           the same, but the count includes the VBRI frame itself (379). mp3val
#                           wants this count; ffmpeg reads the count as audio frames (it skips
#                           the VBRI frame and takes 378 x 576 samples as the duration).
#   vbri-overclaims.mp3     the same, declaring 100 frames more than there are (broken).
#   id3v1-tagged.mp3        tel-8k-cbr32 + a 128-byte ID3v1.1 tag.
#   apev2-tagged.mp3        tel-8k-cbr32 + an APEv2 tag (header, 3 items, footer).
#   ape-id3v1-tagged.mp3    tel-8k-cbr32 + the APEv2 tag + the ID3v1 tag (the usual order).
# Broken files (should be rejected, or at least flagged):
#   trunc-boundary.mp3      tel-8k-cbr32 cut exactly at the frame boundary nearest half;
#                           the Info tag still declares the full frame count.
#   trunc-midframe.mp3      tel-8k-cbr32 cut 100 bytes into the frame nearest half.
#   garbage-over-header.mp3 tel-8k-cbr32 with 200 seeded bytes written over the header of
#                           the middle frame (same size as the original).
#   html.mp3                an nginx-style "502 Bad Gateway" HTML page.
#   empty.mp3               zero bytes.
#   id3-only.mp3            a valid ID3v2.3 tag (TIT2 + TPE1 frames), no audio at all.
#   bitflip-headers.mp3     notag-8k with one bit flipped in three frame headers in the
#                           middle: a sync bit, a bitrate bit, a sample-rate bit (-> reserved).
#   splice-5000.mp3         tel-8k-cbr32 with 5000 bytes removed from the middle; neither
#                           cut is on a frame boundary.
#   html-appended.mp3       tel-8k-cbr32 followed by the 502 HTML page.
#   junk-prefix-500.mp3     500 seeded junk bytes (no 0xFF, so no false sync) + notag-8k.
#   two-rates.mp3           notag-8k followed by a 16 kHz 32 kbps lame -t stream.
#   twice.mp3               tel-8k-cbr32 concatenated with itself (the second Info frame
#                           sits mid-stream; the first one declares only half the frames).
#   mp2-renamed.mp3         MPEG-1 Layer II, 32 kHz mono 64 kbps (twolame), named .mp3.
#   wav-renamed.mp3         8 kHz mono 16-bit PCM WAV, named .mp3.
#   xing-overclaims.mp3     wb-16k-vbr with the Xing frame count raised by 100 (the LAME
#                           tag CRC is recomputed so only the count is wrong).
#   junk-prefix-4k.mp3      4000 seeded bytes (0xFF included, so false syncs) + notag-8k:
#                           more junk than libmpg123's default resync limit of 1024 bytes.
# Short but good:
#   short-3-frames.mp3      the first 3 frames of notag-8k (0.2 s): too short for a chain of
#                           frames, yet nothing but frames.
# Not MP3 at all (other containers and codecs renamed .mp3, and random bytes), made with
# ffmpeg (-bitexact, no metadata) and sox from the wav-renamed speech:
#   m4a-renamed.mp3         AAC in an M4A (MP4) file.
#   aac-adts-renamed.mp3    AAC as a raw ADTS stream (frames start 0xFFF1: layer bits 00).
#   3gp-renamed.mp3         AMR-NB in a 3GP file.
#   amr-renamed.mp3         AMR-NB, 12.2 kbit/s, "#!AMR" file (sox).
#   ogg-vorbis-renamed.mp3  Vorbis in Ogg.
#   opus-renamed.mp3        Opus in Ogg.
#   flac-renamed.mp3        FLAC.
#   wav-ulaw-renamed.mp3    G.711 mu-law in a WAV file (telephony's usual WAV).
#   random-1k.mp3, random-16k.mp3, random-64k.mp3
#                           seeded bytes (0xFF included): full of false frame syncs.
# Simulator voice:
#   ../../../Sources/Simulator/Voice/voice.mp3
#                           ~20 s dialog, 8 kHz mono 32 kbps CBR, lame -t: no Info tag, no
#                           ID3, so the file's frames can be repeated end to end. Its first
#                           frame's main_data_begin is 0 (checked below).
# Expected values:
#   expected.tsv            one row per fixture: sizes, walker counts, LAME delay/padding,
#                           samples decoded by the mpg123 CLI (gapless, its default) and
#                           mpg123 -t -v's exit status and messages. See README.md.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
voice_dir="$(cd "$here/../../../Sources/Simulator/Voice" && pwd)"

# --- tools --------------------------------------------------------------------------------
missing=()
for tool in espeak-ng:espeak-ng sox:sox soxi:sox lame:lame twolame:twolame mpg123:mpg123 \
    ffmpeg:ffmpeg python3:python3 dd:coreutils head:coreutils tail:coreutils od:coreutils; do
    command -v "${tool%%:*}" >/dev/null 2>&1 || missing+=("${tool#*:}")
done
if ((${#missing[@]})); then
    echo "make-fixtures.sh: missing tools; install them with:" >&2
    echo "  apt-get install $(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')" >&2
    exit 1
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- frame walker and byte helpers --------------------------------------------------------
cat >"$tmp/mp3tool.py" <<'PY'
"""MPEG audio frame walker and the byte-level helpers make-fixtures.sh needs."""
import hashlib, json, os, re, struct, subprocess, sys

BITRATES = {  # kbps by (MPEG-1?, layer)
    (True, 1): [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
    (True, 2): [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
    (True, 3): [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
    (False, 1): [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
    (False, 2): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    (False, 3): [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
}
RATES = {"1": [44100, 48000, 32000], "2": [22050, 24000, 16000], "2.5": [11025, 12000, 8000]}


def header(data, pos):
    """The frame header at pos as a dict, or None (free-format frames count as invalid)."""
    if pos + 4 > len(data):
        return None
    b0, b1, b2, b3 = data[pos:pos + 4]
    if b0 != 0xFF or (b1 & 0xE0) != 0xE0:
        return None
    version = {0: "2.5", 2: "2", 3: "1"}.get((b1 >> 3) & 3)
    layer = {1: 3, 2: 2, 3: 1}.get((b1 >> 1) & 3)
    bri, sri = b2 >> 4, (b2 >> 2) & 3
    if version is None or layer is None or bri in (0, 15) or sri == 3:
        return None
    mpeg1 = version == "1"
    bitrate = BITRATES[(mpeg1, layer)][bri] * 1000
    rate = RATES[version][sri]
    pad = (b2 >> 1) & 1
    if layer == 1:
        size, spf = (12 * bitrate // rate + pad) * 4, 384
    elif layer == 2:
        size, spf = 144 * bitrate // rate + pad, 1152
    else:
        size, spf = (144 if mpeg1 else 72) * bitrate // rate + pad, (1152 if mpeg1 else 576)
    mode = b3 >> 6
    return dict(version=version, layer=layer, crc=not (b1 & 1), bitrate=bitrate, rate=rate,
                channels=1 if mode == 3 else 2, size=size, spf=spf)


def same_stream(a, b):
    return a["version"] == b["version"] and a["layer"] == b["layer"] and a["rate"] == b["rate"]


def sync_at(data, pos, end):
    """A header at pos that is followed by another header of the same stream (or by EOF)."""
    h = header(data, pos)
    if h is None:
        return None
    nxt = pos + h["size"]
    if nxt == end:
        return h
    h2 = header(data, nxt)
    return h if h2 is not None and same_stream(h, h2) else None


def resync(data, start, end):
    for pos in range(start, end - 3):
        if data[pos] == 0xFF and sync_at(data, pos, end):
            return pos
    return None


def xing(data, pos, h):
    """Parse a Xing/Info (and LAME) tag in the Layer III frame at pos, or return None."""
    if h["layer"] != 3:
        return None
    side = (17 if h["channels"] == 1 else 32) if h["version"] == "1" else (9 if h["channels"] == 1 else 17)
    off = pos + 4 + (2 if h["crc"] else 0) + side
    marker = data[off:off + 4]
    if marker not in (b"Xing", b"Info"):
        return vbri(data, pos)
    flags = struct.unpack(">I", data[off + 4:off + 8])[0]
    p, tag = off + 8, dict(kind=marker.decode(), offset=off, frames=None, frames_offset=None,
                           delay=None, padding=None, lame_offset=None)
    if flags & 1:
        tag["frames"], tag["frames_offset"] = struct.unpack(">I", data[p:p + 4])[0], p
        p += 4
    if flags & 2:
        p += 4
    if flags & 4:
        p += 100
    if flags & 8:
        p += 4
    enc = data[p:p + 9]
    if enc[:4] in (b"LAME", b"Lavf", b"Lavc", b"GOGO") or re.match(rb"L\d\.\d\d", enc):
        d = data[p + 21:p + 24]
        tag["lame_offset"] = p
        tag["encoder"] = enc.rstrip(b"\0").decode("latin-1")
        tag["delay"], tag["padding"] = (d[0] << 4) | (d[1] >> 4), ((d[1] & 0x0F) << 8) | d[2]
    return tag


def vbri(data, pos):
    """Parse a Fraunhofer VBRI header (always 32 bytes after the frame header), or None:
    "VBRI", version, delay, quality (2 bytes each), stream bytes, frames (4 bytes each)."""
    off = pos + 36
    if data[off:off + 4] != b"VBRI" or off + 18 > len(data):
        return None
    stream_bytes, frames = struct.unpack(">II", data[off + 10:off + 18])
    return dict(kind="VBRI", offset=off, frames=frames, frames_offset=off + 14, bytes=stream_bytes,
                delay=None, padding=None, lame_offset=None)


def ape_size(data, end):
    """The length of an APEv2 tag (header included) ending at end, or 0."""
    if end < 32 or data[end - 32:end - 24] != b"APETAGEX":
        return 0
    size, _, flags = struct.unpack("<III", data[end - 20:end - 8])
    size += 32 if flags & 0x80000000 else 0
    return size if 32 <= size <= end else 0


def id3v2_size(data, pos=0):
    if data[pos:pos + 3] != b"ID3" or len(data) < pos + 10:
        return 0
    s = data[pos + 6:pos + 10]
    if any(b & 0x80 for b in s):
        return 0
    size = 10 + ((s[0] << 21) | (s[1] << 14) | (s[2] << 7) | s[3])
    return size + (10 if data[pos + 5] & 0x10 else 0)


def walk(data):
    """Walk the frames: skip a leading ID3v2 tag and trailing ID3v1/APEv2 tags, find the first
    frame (a header followed by a consistent header), then step frame by frame. On a bad
    header, resynchronise on the next header pair and count the bytes skipped. A frame that
    runs past the end is a partial frame (not counted). A Xing/Info frame first is the tag,
    not audio; a later one is counted as audio (decoders play it as a silent frame). A VBRI
    frame first is the tag too, although libmpg123 1.31 plays it (see cmd_expected)."""
    end, r = len(data), dict(bytes=len(data), id3v2=0, id3v1=False, ape=0, first=None, tag=None,
                             frames=[], leading_junk=0, skipped=0, resyncs=0, trailing=0,
                             partial_frame=False, midstream_tags=0, rates=[], layers=[])
    pos = r["id3v2"] = min(id3v2_size(data), end)
    if end - pos >= 128 and data[end - 128:end - 125] == b"TAG":
        end, r["id3v1"] = end - 128, True
    r["ape"] = ape_size(data, end)
    end -= r["ape"]
    first = resync(data, pos, end)
    if first is None:
        r["leading_junk"] = end - pos
        return r
    r["leading_junk"], r["first"] = first - pos, first
    pos = first
    while pos < end:
        h = header(data, pos)
        if h is not None and pos + h["size"] <= end:
            t = xing(data, pos, h)
            if t is not None and not r["frames"] and r["tag"] is None:
                r["tag"] = t
            else:
                if t is not None:
                    r["midstream_tags"] += 1
                r["frames"].append((pos, h))
                if h["rate"] not in r["rates"]:
                    r["rates"].append(h["rate"])
                lay = "MPEG-%s L%s" % (h["version"], "I" * h["layer"])
                if lay not in r["layers"]:
                    r["layers"].append(lay)
            pos += h["size"]
            continue
        nxt = resync(data, pos + 1, end)
        if nxt is None:
            r["trailing"] = end - pos
            r["partial_frame"] = h is not None
            break
        r["skipped"] += nxt - pos
        r["resyncs"] += 1
        pos = nxt
    return r


def crc16_lame(buf):
    crc = 0
    for b in buf:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def seeded(label, n, avoid=()):
    out, i = bytearray(), 0
    while len(out) < n:
        block = hashlib.sha256(("%s:%d" % (label, i)).encode()).digest()
        out += bytes(b for b in block if b not in avoid)
        i += 1
    return bytes(out[:n])


def wav_samples(path):
    """Sample frames per channel in a WAV's data chunk, plus its rate and channels."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise SystemExit("%s: not a WAV file" % path)
    pos, channels, rate, bits = 12, 0, 0, 0
    while pos + 8 <= len(data):
        cid, size = data[pos:pos + 4], struct.unpack("<I", data[pos + 4:pos + 8])[0]
        if cid == b"fmt ":
            channels, rate, _, _, bits = struct.unpack("<HIIHH", data[pos + 10:pos + 24])
        elif cid == b"data":
            size = min(size, len(data) - pos - 8)
            return size // (channels * bits // 8), rate, channels
        pos += 8 + size + (size & 1)
    raise SystemExit("%s: no data chunk" % path)


def mpg123_messages(path):
    """mpg123 -t -v: exit status and its notes/warnings/errors on one line."""
    p = subprocess.run(["mpg123", "-t", "-v", os.path.basename(path)],
                       cwd=os.path.dirname(os.path.abspath(path)), capture_output=True)
    keep, seen = [], {}
    for line in re.split(r"[\r\n]+", p.stderr.decode("utf-8", "replace")):
        line = line.strip()
        if not line or line.startswith((">", "High Performance", "version ", "free software",
                                        "Decoder:", "Trying output", "Playing MPEG", "[")):
            continue
        line = re.sub(r"\s+", " ", line)
        if line not in seen:
            seen[line] = 0
            keep.append(line)
        seen[line] += 1
    msg = " | ".join(l if seen[l] == 1 else "%s (x%d)" % (l, seen[l]) for l in keep)
    return p.returncode, msg.replace("\t", " ") or "-"


def decoded(path, tmpdir):
    """Samples per channel that `mpg123 -q -w out.wav` decodes (gapless is its default)."""
    out = os.path.join(tmpdir, "decoded.wav")
    if os.path.exists(out):
        os.remove(out)
    cwd, name = os.path.dirname(os.path.abspath(path)), os.path.basename(path)
    rc = subprocess.run(["mpg123", "-q", "-w", out, name], cwd=cwd, capture_output=True).returncode
    # Everything decoded, across format changes, as 16-bit PCM on stdout: the WAV writer
    # starts its file over when the output format changes, so it keeps only the last part.
    raw = len(subprocess.run(["mpg123", "-q", "-s", name], cwd=cwd, capture_output=True).stdout)
    if not os.path.exists(out):
        return 0, "-", "-", rc, raw, 0
    samples, rate, channels = wav_samples(out)
    soxi = subprocess.run(["soxi", "-s", out], capture_output=True, text=True).stdout.strip()
    if soxi != str(samples):
        raise SystemExit("%s: WAV header says %d samples, soxi says %s" % (path, samples, soxi))
    return samples, rate, channels, rc, raw, samples * channels * 2


def cmd_offsets(path):
    """Audio frames (the Xing/Info frame excluded): offset, size."""
    for pos, h in walk(open(path, "rb").read())["frames"]:
        print(pos, h["size"])


def cmd_check_bare(path):
    """Fail unless the file starts with a frame sync and has no ID3/Xing/Info tags."""
    data = open(path, "rb").read()
    r = walk(data)
    if not (data[0] == 0xFF and data[1] & 0xE0 == 0xE0) or r["id3v2"] or r["id3v1"] or r["tag"] \
            or r["leading_junk"] or r["skipped"] or r["trailing"]:
        raise SystemExit("%s: expected a bare MPEG stream starting at byte 0" % path)


def cmd_main_data_begin(path):
    data = open(path, "rb").read()
    h = header(data, 0)
    p = 4 + (2 if h["crc"] else 0)
    bits = int.from_bytes(data[p:p + 2], "big")
    print(bits >> 7 if h["version"] == "1" else bits >> 8)


def patch_lame_tag(path, edit):
    """Apply edit(data, tag) to the Xing/Info frame, then recompute the LAME tag CRC."""
    data = bytearray(open(path, "rb").read())
    r = walk(bytes(data))
    t = r["tag"]
    if t is None or t["frames_offset"] is None or t["lame_offset"] is None:
        raise SystemExit("%s: no Xing frame count / LAME tag to patch" % path)
    crc_at = t["lame_offset"] + 34  # LAME tag CRC: CRC-16 of every tag-frame byte before it
    frame = r["first"]
    if crc16_lame(data[frame:crc_at]) != struct.unpack(">H", data[crc_at:crc_at + 2])[0]:
        raise SystemExit("%s: LAME tag CRC does not verify before patching" % path)
    edit(data, t)
    data[crc_at:crc_at + 2] = struct.pack(">H", crc16_lame(data[frame:crc_at]))
    open(path, "wb").write(data)


def cmd_patch_xing(path, delta):
    def edit(data, t):
        data[t["frames_offset"]:t["frames_offset"] + 4] = struct.pack(">I", t["frames"] + int(delta))
    patch_lame_tag(path, edit)


def cmd_patch_lame(path, delay, padding):
    """Set the LAME tag's encoder delay and padding (12 bits each, at LAME tag +21)."""
    delay, padding = int(delay), int(padding)
    if not (0 <= delay < 4096 and 0 <= padding < 4096):
        raise SystemExit("%s: delay and padding must fit in 12 bits" % path)

    def edit(data, t):
        p = t["lame_offset"] + 21
        data[p:p + 3] = bytes([delay >> 4, (delay & 0x0F) << 4 | padding >> 8, padding & 0xFF])
    patch_lame_tag(path, edit)
    t = walk(open(path, "rb").read())["tag"]
    if (t["delay"], t["padding"]) != (delay, padding):
        raise SystemExit("%s: LAME delay/padding patch did not read back" % path)


def cmd_vbri(src, out, extra_frames):
    """Write src with its Xing/Info frame replaced by a Fraunhofer VBRI frame of the same
    size and header: zero side info (so decoders that play it output silence), then at offset
    36 "VBRI", version 1, delay, quality 75, stream bytes (from this frame to the end), frame
    count (the audio frames, plus extra_frames), and a TOC: one 2-byte entry per 10 frames
    giving the bytes of those frames (scale factor 1). The TOC size field is the entry count
    minus 1: Fraunhofer's reader (CVbriHeader) reads size + 1 entries."""
    data = open(src, "rb").read()
    r = walk(data)
    t, first, frames = r["tag"], r["first"], r["frames"]
    if t is None or t["kind"] not in ("Xing", "Info") or r["id3v2"] or r["id3v1"] or r["ape"]:
        raise SystemExit("%s: expected a bare stream whose first frame is a Xing/Info frame" % src)
    size, per = header(data, first)["size"], 10
    toc = [sum(h["size"] for _, h in frames[i:i + per]) for i in range(0, len(frames), per)]
    fields = struct.pack(">HHHIIHHHH", 1, t["delay"] or 0, 75, len(data) - first,
                         len(frames) + int(extra_frames), len(toc) - 1, 1, 2, per)
    body = b"VBRI" + fields + b"".join(struct.pack(">H", n) for n in toc)
    if 36 + len(body) > size:
        raise SystemExit("%s: the VBRI header does not fit in a %d-byte frame" % (src, size))
    frame = data[first:first + 4] + bytes(32) + body
    frame += bytes(size - len(frame))
    open(out, "wb").write(data[:first] + frame + data[first + size:])


def cmd_id3v1(title, artist, album, year, comment):
    """An ID3v1.1 tag: 128 bytes, "TAG", fixed-width fields, track 1, genre 101 (Speech)."""
    field = lambda text, n: text.encode("latin-1")[:n].ljust(n, b"\0")
    sys.stdout.buffer.write(b"TAG" + field(title, 30) + field(artist, 30) + field(album, 30)
                            + field(year, 4) + field(comment, 28) + b"\0" + bytes([1, 101]))


def cmd_ape(*items):
    """An APEv2 tag with a header and a footer ("APETAGEX", version 2000, little-endian size
    of items + footer, item count, flags: bit 31 has-header, bit 29 this-is-the-header) and
    one UTF-8 text item per KEY=VALUE argument."""
    body = b""
    for item in items:
        key, value = item.split("=", 1)
        value = value.encode("utf-8")
        body += struct.pack("<II", len(value), 0) + key.encode("ascii") + b"\0" + value
    frame = lambda flags: b"APETAGEX" + struct.pack("<IIII", 2000, len(body) + 32, len(items), flags) + bytes(8)
    sys.stdout.buffer.write(frame(0xA0000000) + body + frame(0x80000000))


def cmd_seeded(label, n, no_ff=""):
    sys.stdout.buffer.write(seeded(label, int(n), avoid=(0xFF,) if no_ff else ()))


def cmd_id3(title, artist):
    def frame(fid, text):
        body = b"\x00" + text.encode("latin-1")
        return fid.encode() + struct.pack(">I", len(body)) + b"\x00\x00" + body
    frames = frame("TIT2", title) + frame("TPE1", artist)
    n = len(frames)
    size = bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])
    sys.stdout.buffer.write(b"ID3\x03\x00\x00" + size + frames)


def cmd_expected(tmpdir, *specs):
    cols = ["file", "verdict", "bytes", "format", "sample_rate", "channels", "frames", "tag",
            "tag_frames", "enc_delay", "enc_padding", "id3v2_bytes", "leading_junk",
            "skipped_bytes", "trailing_bytes", "decoded_samples", "decoded_rate",
            "decoded_channels", "raw_pcm_bytes", "mpg123_exit", "mpg123_messages", "notes"]
    print("\t".join(cols))
    for spec in specs:
        verdict, path = spec.split(":", 1)
        r = walk(open(path, "rb").read())
        first = r["frames"][0][1] if r["frames"] else None
        tag = r["tag"] or {}
        notes = []
        if len(r["rates"]) > 1:
            notes.append("sample rates " + ",".join(map(str, r["rates"])))
        if r["midstream_tags"]:
            notes.append("%d Info/Xing frame(s) mid-stream counted as audio" % r["midstream_tags"])
        if r["resyncs"]:
            notes.append("%d resync(s)" % r["resyncs"])
        if r["partial_frame"]:
            notes.append("ends in a partial frame")
        if tag.get("frames") is not None and tag["frames"] != len(r["frames"]):
            notes.append("tag declares %d frames, walker found %d" % (tag["frames"], len(r["frames"])))
        if r["ape"]:
            notes.append("APEv2 tag of %d bytes" % r["ape"])
        if r["id3v1"]:
            notes.append("ID3v1 tag")
        samples, drate, dch, drc, raw, wav_bytes = decoded(path, tmpdir)
        if tag.get("kind") == "VBRI" and first and raw == (len(r["frames"]) + 1) * first["spf"] * first["channels"] * 2:
            notes.append("mpg123 played the VBRI frame as audio: %d frames decoded"
                         % (len(r["frames"]) + 1))
        if raw != wav_bytes:
            notes.append("mpg123 -w kept only the audio after the last format change")
        rc, msg = mpg123_messages(path)
        name = os.path.basename(path)
        if name == "voice.mp3":
            name = "../../../Sources/Simulator/Voice/voice.mp3"
        dash = lambda v: "-" if v is None else str(v)
        row = [name, verdict, r["bytes"], "+".join(r["layers"]) or "-",
               first and first["rate"], first and first["channels"], len(r["frames"]),
               tag.get("kind", "none"), tag.get("frames"), tag.get("delay"), tag.get("padding"),
               r["id3v2"], r["leading_junk"], r["skipped"], r["trailing"], samples, drate, dch,
               raw, rc, msg, "; ".join(notes) or "-"]
        if drc != rc:
            row[-1] += " (mpg123 -w exited %d)" % drc
        print("\t".join(dash(v) for v in row))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"offsets": cmd_offsets, "check-bare": cmd_check_bare, "main-data-begin": cmd_main_data_begin,
     "patch-xing": cmd_patch_xing, "patch-lame": cmd_patch_lame, "vbri": cmd_vbri,
     "seeded": cmd_seeded, "id3": cmd_id3, "id3v1": cmd_id3v1, "ape": cmd_ape,
     "expected": cmd_expected, "walk": lambda p: print(json.dumps(
         {k: v for k, v in walk(open(p, "rb").read()).items() if k != "frames"}))}[cmd](*args)
PY
tool() { python3 "$tmp/mp3tool.py" "$@"; }

# --- speech -------------------------------------------------------------------------------
# speak NAME RATE VOICE TEXT: espeak-ng at 150 wpm, normalised to -3 dBFS, resampled to RATE
# (sox -R: repeatable, -D: no dither, so the PCM is bit-identical on every run).
speak() {
    espeak-ng -v "$3" -s 150 -w "$tmp/$1.raw.wav" "$4"
    sox -R -D "$tmp/$1.raw.wav" -r "$2" -c 1 -b 16 "$tmp/$1.wav" norm -3
}
speak tel 8000 en-us "Hi, I'd like to place an order for delivery, please. One large pepperoni \
pizza, a Caesar salad with no croutons, and two orders of garlic knots."
speak wb 16000 en-us+f3 "Thanks for calling Luigi's Pizzeria. So that's one large pepperoni, a \
Caesar salad, no croutons, and two garlic knots. Your total is thirty two fifty, and it'll be \
about forty minutes."
speak notag 8000 en-gb "Hello, this is for pickup under the name Daniel. Two chicken burritos, \
one without sour cream, a large chips and guacamole, and three horchatas."
speak second16k 16000 en-us+f3 "Great. Is there anything else I can get for you tonight?"
speak order22k 22050 en-us "Hi, this is Maria calling about my order from last night. The soup \
was cold and one of the sandwiches was missing."
speak mp2 32000 en-us "Your table for four at seven thirty is confirmed. Please give us a call \
if you're running late."
speak wav 8000 en-us+f3 "Your order number is forty seven. Thank you for choosing Golden \
Dragon, and we'll see you soon."
speak caller 44100 en-us "Hi, can I get a medium margherita with extra basil, and a side of hot \
wings?"
speak staff 44100 en-us+f3 "Sure thing. Would you like blue cheese or ranch with the wings?"
for i in 1 2 3 4; do
    case $i in
        1) v=en-us+f3 t="Thank you for calling Bella Cucina, this is Sophie. Is this for pickup or delivery?" ;;
        2) v=en-us t="Delivery, please. I'd like a large pepperoni pizza and an order of garlic bread." ;;
        3) v=en-us+f3 t="Sure. Anything to drink with that?" ;;
        4) v=en-us t="Two cans of Coke, please. That's everything." ;;
    esac
    speak "voice$i" 8000 "$v" "$t"
done

# --- good files ---------------------------------------------------------------------------
lame --quiet -b 32 --cbr -m m --resample 8 "$tmp/tel.wav" "$tmp/tel-8k-cbr32.mp3"
lame --quiet -V 4 -m m --resample 16 "$tmp/wb.wav" "$tmp/wb-16k-vbr.mp3"
# Stereo dialog: caller on the left, staff on the right answering after a 0.4 s gap.
caller_len="$(soxi -s "$tmp/caller.wav")"
sox -R -D "$tmp/staff.wav" "$tmp/staff-late.wav" pad "$((caller_len + 17640))s"
sox -R -D -M "$tmp/caller.wav" "$tmp/staff-late.wav" "$tmp/stereo.wav"
lame --quiet -b 128 --cbr -m j --resample 44.1 "$tmp/stereo.wav" "$tmp/cd-44k-stereo-128.mp3"
lame --quiet -t -b 32 --cbr -m m --resample 8 "$tmp/notag.wav" "$tmp/notag-8k.mp3"
tool check-bare "$tmp/notag-8k.mp3"

# ffmpeg IN OUT ARGS...: bit-exact output with no metadata, so reruns give the same bytes.
ffenc() {
    ffmpeg -hide_banner -loglevel error -y -fflags +bitexact -i "$1" \
        -map_metadata -1 -fflags +bitexact -flags:a +bitexact "${@:3}" "$2"
}

# --- broken files -------------------------------------------------------------------------
tel="$tmp/tel-8k-cbr32.mp3" notag="$tmp/notag-8k.mp3"
mapfile -t tel_frames < <(tool offsets "$tel")     # "offset size" per audio frame
mapfile -t notag_frames < <(tool offsets "$notag")
mid=$((${#tel_frames[@]} / 2))
read -r mid_off mid_size <<<"${tel_frames[$mid]}"

head -c "$mid_off" "$tel" >"$tmp/trunc-boundary.mp3"
head -c "$((mid_off + 100))" "$tel" >"$tmp/trunc-midframe.mp3"

cp "$tel" "$tmp/garbage-over-header.mp3"
tool seeded garbage-over-header 200 |
    dd of="$tmp/garbage-over-header.mp3" bs=1 seek="$mid_off" conv=notrunc status=none

cat >"$tmp/html.mp3" <<'HTML'
<!DOCTYPE html>
<html>
<head><title>502 Bad Gateway</title></head>
<body>
<center><h1>502 Bad Gateway</h1></center>
<hr><center>nginx/1.22.1</center>
</body>
</html>
HTML

: >"$tmp/empty.mp3"
tool id3 "Order 1047 - Luigi's Pizzeria" "callarchive" >"$tmp/id3-only.mp3"

# xor_byte FILE OFFSET MASK: flip the MASK bits of one byte in place.
xor_byte() {
    local old new
    old="$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')"
    new=$((old ^ $3))
    printf "\\$(printf '%03o' "$new")" | dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
cp "$notag" "$tmp/bitflip-headers.mp3"
n=$((${#notag_frames[@]} / 2))
read -r off _ <<<"${notag_frames[$n]}"
xor_byte "$tmp/bitflip-headers.mp3" "$off" 0x10                # sync: 0xFF -> 0xEF
read -r off _ <<<"${notag_frames[$((n + 5))]}"
xor_byte "$tmp/bitflip-headers.mp3" "$((off + 2))" 0x10        # bitrate index 4 -> 5 (40 kbps)
read -r off _ <<<"${notag_frames[$((n + 10))]}"
xor_byte "$tmp/bitflip-headers.mp3" "$((off + 2))" 0x04        # sample-rate index 2 -> 3 (reserved)

cut_start=$((mid_off - 2500 + 37)) cut_end=$((mid_off + 2500 + 37))
for f in "${tel_frames[@]}"; do
    read -r off _ <<<"$f"
    if ((off == cut_start || off == cut_end)); then
        echo "make-fixtures.sh: splice cut landed on a frame boundary" >&2
        exit 1
    fi
done
{ head -c "$cut_start" "$tel"; tail -c "+$((cut_end + 1))" "$tel"; } >"$tmp/splice-5000.mp3"

cat "$tel" "$tmp/html.mp3" >"$tmp/html-appended.mp3"
{ tool seeded junk-prefix 500 no-ff; cat "$notag"; } >"$tmp/junk-prefix-500.mp3"

lame --quiet -t -b 32 --cbr -m m --resample 16 "$tmp/second16k.wav" "$tmp/second16k.mp3"
tool check-bare "$tmp/second16k.mp3"
cat "$notag" "$tmp/second16k.mp3" >"$tmp/two-rates.mp3"
cat "$tel" "$tel" >"$tmp/twice.mp3"

twolame --quiet -m m -b 64 "$tmp/mp2.wav" "$tmp/mp2-renamed.mp3"
cp "$tmp/wav.wav" "$tmp/wav-renamed.mp3"

cp "$tmp/wb-16k-vbr.mp3" "$tmp/xing-overclaims.mp3"
tool patch-xing "$tmp/xing-overclaims.mp3" 100

{ tool seeded junk-prefix-4k 4000; cat "$notag"; } >"$tmp/junk-prefix-4k.mp3"
read -r off _ <<<"${notag_frames[3]}"
head -c "$off" "$notag" >"$tmp/short-3-frames.mp3"

# --- container branches: LAME tags, VBRI, trailing tags -----------------------------------
encoders="$(ffmpeg -hide_banner -encoders 2>/dev/null)"   # (not piped into grep -q: SIGPIPE)
if [[ "$encoders" != *libmp3lame* ]]; then
    echo "make-fixtures.sh: ffmpeg has no libmp3lame encoder" >&2
    exit 1
fi
# ffmpeg's own MP3 output: a 20-byte empty ID3v2.4 tag, then an Info frame whose LAME
# extension names "Lavf" (the checker reads delay and padding from Lavf/Lavc tags too).
ffenc "$tmp/order22k.wav" "$tmp/lavf-22k-cbr32.mp3" -c:a libmp3lame -b:a 32k -f mp3
lame --quiet -V 6 -m m "$tmp/order22k.wav" "$tmp/lame-delay-1200-pad-200.mp3"
tool patch-lame "$tmp/lame-delay-1200-pad-200.mp3" 1200 200
tool vbri "$tmp/wb-16k-vbr.mp3" "$tmp/vbri-16k.mp3" 0
tool vbri "$tmp/wb-16k-vbr.mp3" "$tmp/vbri-16k-self-counted.mp3" 1
tool vbri "$tmp/wb-16k-vbr.mp3" "$tmp/vbri-overclaims.mp3" 100
tool id3v1 "Order 1047" "Luigi's Pizzeria" "callarchive" 2025 "delivery" >"$tmp/id3v1.tag"
tool ape "Title=Order 1047" "Artist=Luigi's Pizzeria" "Comment=delivery, 8 kHz" >"$tmp/ape.tag"
cat "$tel" "$tmp/id3v1.tag" >"$tmp/id3v1-tagged.mp3"
cat "$tel" "$tmp/ape.tag" >"$tmp/apev2-tagged.mp3"
cat "$tel" "$tmp/ape.tag" "$tmp/id3v1.tag" >"$tmp/ape-id3v1-tagged.mp3"

# --- not MP3 at all -----------------------------------------------------------------------
if ! sox -h 2>/dev/null | grep -q 'amr-nb'; then
    echo "make-fixtures.sh: sox cannot write AMR; apt-get install libsox-fmt-all" >&2
    exit 1
fi
ffenc "$tmp/wav.wav" "$tmp/m4a-renamed.mp3" -c:a aac -b:a 16k -f ipod
ffenc "$tmp/wav.wav" "$tmp/aac-adts-renamed.mp3" -c:a aac -b:a 16k -f adts
sox -R -D "$tmp/wav.wav" -C 7 -t amr-nb "$tmp/amr-renamed.mp3"
ffenc "$tmp/amr-renamed.mp3" "$tmp/3gp-renamed.mp3" -c:a copy -f 3gp
ffenc "$tmp/wav.wav" "$tmp/ogg-vorbis-renamed.mp3" -c:a libvorbis -q:a 0 -f ogg
ffenc "$tmp/wav.wav" "$tmp/opus-renamed.mp3" -c:a libopus -b:a 16k -f opus
ffenc "$tmp/wav.wav" "$tmp/flac-renamed.mp3" -c:a flac -f flac
ffenc "$tmp/wav.wav" "$tmp/wav-ulaw-renamed.mp3" -c:a pcm_mulaw -f wav
for size in 1 16 64; do tool seeded "random-${size}k" "$((size * 1024))" >"$tmp/random-${size}k.mp3"; done

# --- simulator voice ----------------------------------------------------------------------
# Four turns of a phone order, each followed by 0.4 s of silence.
for i in 1 2 3 4; do sox -R -D "$tmp/voice$i.wav" "$tmp/voice$i.pad.wav" pad 0 0.4; done
sox -R -D "$tmp"/voice[1-4].pad.wav "$tmp/voice.wav"
lame --quiet -t -b 32 --cbr -m m --resample 8 "$tmp/voice.wav" "$tmp/voice.mp3"
tool check-bare "$tmp/voice.mp3"
if [[ "$(tool main-data-begin "$tmp/voice.mp3")" != 0 ]]; then
    echo "make-fixtures.sh: voice.mp3's first frame has main_data_begin != 0" >&2
    exit 1
fi

# --- install and record expected values ---------------------------------------------------
good=(tel-8k-cbr32 wb-16k-vbr cd-44k-stereo-128 notag-8k short-3-frames lavf-22k-cbr32
    lame-delay-1200-pad-200 vbri-16k vbri-16k-self-counted id3v1-tagged apev2-tagged ape-id3v1-tagged)
broken=(trunc-boundary trunc-midframe garbage-over-header html empty id3-only bitflip-headers
    splice-5000 html-appended junk-prefix-500 two-rates twice mp2-renamed wav-renamed
    xing-overclaims junk-prefix-4k m4a-renamed aac-adts-renamed 3gp-renamed amr-renamed
    ogg-vorbis-renamed opus-renamed flac-renamed wav-ulaw-renamed random-1k random-16k random-64k
    vbri-overclaims)
specs=()
for f in "${good[@]}"; do cp "$tmp/$f.mp3" "$here/$f.mp3"; specs+=("good:$here/$f.mp3"); done
for f in "${broken[@]}"; do cp "$tmp/$f.mp3" "$here/$f.mp3"; specs+=("broken:$here/$f.mp3"); done
cp "$tmp/voice.mp3" "$voice_dir/voice.mp3"
specs+=("voice:$voice_dir/voice.mp3")
rm -f "$here/.keep"

mkdir "$tmp/decode"
(cd "$here" && tool expected "$tmp/decode" "${specs[@]}") >"$tmp/expected.tsv"
cp "$tmp/expected.tsv" "$here/expected.tsv"
echo "make-fixtures.sh: wrote $((${#specs[@]})) files and expected.tsv in $here"
