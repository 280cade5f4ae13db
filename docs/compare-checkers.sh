#!/usr/bin/env bash
# Runs callarchive's audio check and three other MP3 checkers (mpg123 -t, mp3val, ffmpeg) on every
# MP3 fixture and prints a markdown table of what each one reports, followed by the tool versions
# and the date. docs/verification.md embeds this output.
#
#   bash docs/compare-checkers.sh > /tmp/table.md
#
# Needs: mpg123 mp3val ffmpeg (Debian packages) and a built callarchive. Environment:
#   CALLARCHIVE  the callarchive binary (default: .build/debug/callarchive, else callarchive on PATH)
#   FIXTURES     the fixture directory (default: Tests/AudioCheckTests/Fixtures)
# Every tool runs on a copy of the fixtures in a temporary directory; the fixtures are not touched.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixtures=${FIXTURES:-$root/Tests/AudioCheckTests/Fixtures}
if [[ -z ${CALLARCHIVE:-} ]]; then
    if [[ -e $root/.build/debug/callarchive ]]; then
        CALLARCHIVE=$root/.build/debug/callarchive
    else
        CALLARCHIVE=$(command -v callarchive || echo "$root/.build/debug/callarchive")
    fi
elif [[ $CALLARCHIVE != */* ]]; then
    CALLARCHIVE=$(command -v "$CALLARCHIVE" || echo "$CALLARCHIVE")
fi

for tool in mpg123 mp3val ffmpeg timeout; do
    command -v "$tool" >/dev/null || { echo "compare-checkers.sh: $tool not found (apt-get install mpg123 mp3val ffmpeg)" >&2; exit 1; }
done
[[ -d $fixtures ]] || { echo "compare-checkers.sh: no fixture directory $fixtures" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The damage in each fixture, in plain words (Fixtures/README.md has the details), in table order.
# Fixtures not listed here are appended with their README description left to the reader.
known=(
    "tel-8k-cbr32|none: 8 kHz CBR with Info tag"
    "wb-16k-vbr|none: 16 kHz VBR with Xing tag"
    "cd-44k-stereo-128|none: 44.1 kHz stereo CBR with Info tag"
    "notag-8k|none: 8 kHz CBR, no Info tag, no ID3"
    "trunc-boundary|cut in half at a frame boundary"
    "trunc-midframe|cut in half inside a frame"
    "garbage-over-header|200 junk bytes over a mid-file frame header"
    "html|an HTML error page, not audio"
    "empty|0 bytes"
    "id3-only|an ID3v2 tag and no audio"
    "bitflip-headers|one bit flipped in 3 mid-file frame headers (no Info tag)"
    "splice-5000|5000 bytes cut out of the middle"
    "html-appended|HTML error page after the last frame"
    "junk-prefix-500|500 junk bytes before the first frame (no Info tag)"
    "two-rates|an 8 kHz stream followed by a 16 kHz stream"
    "twice|the whole file twice; Info tag declares one copy"
    "mp2-renamed|MPEG Layer II, not Layer III"
    "wav-renamed|a WAV file, not MPEG"
    "xing-overclaims|Xing tag declares 100 frames more than exist"
    "short-3-frames|none: only 3 frames (0.2 s), no Info tag"
    "junk-prefix-4k|4000 random bytes (false syncs) before the first frame"
    "m4a-renamed|AAC in an M4A file, not MPEG"
    "aac-adts-renamed|raw ADTS AAC (0xFFF1 syncs), not MPEG"
    "3gp-renamed|AMR in a 3GP file, not MPEG"
    "amr-renamed|an AMR file, not MPEG"
    "ogg-vorbis-renamed|Vorbis in Ogg, not MPEG"
    "opus-renamed|Opus in Ogg, not MPEG"
    "flac-renamed|FLAC, not MPEG"
    "wav-ulaw-renamed|a mu-law WAV file, not MPEG"
    "random-1k|1 KiB of random bytes"
    "random-16k|16 KiB of random bytes"
    "random-64k|64 KiB of random bytes"
    "lavf-22k-cbr32|none: ffmpeg's output, LAME tag from Lavf, empty ID3v2"
    "lame-delay-1200-pad-200|none: LAME tag delay 1200, padding 200"
    "vbri-16k|none: VBRI header instead of Xing"
    "vbri-16k-self-counted|none: VBRI header whose count includes itself"
    "vbri-overclaims|VBRI header declares 100 frames more than exist"
    "id3v1-tagged|none: ID3v1 tag at the end"
    "apev2-tagged|none: APEv2 tag at the end"
    "ape-id3v1-tagged|none: APEv2 then ID3v1 tag at the end"
)
names=()
declare -A damage=()
for entry in "${known[@]}"; do
    name=${entry%%|*}
    [[ -f $fixtures/$name.mp3 ]] || continue
    names+=("$name")
    damage[$name]=${entry#*|}
done
for path in "$fixtures"/*.mp3; do
    name=$(basename "$path" .mp3)
    [[ -v "damage[$name]" ]] && continue
    names+=("$name")
    damage[$name]="(not described here; see Fixtures/README.md)"
done

# Copies named T01.mp3, T02.mp3, ...: callarchive wants ORDER_ID.mp3 names, and no tool gets the originals.
mkdir -p "$tmp/in"
declare -A order_id=()
i=0
for name in "${names[@]}"; do
    i=$((i + 1))
    order_id[$name]=$(printf 'T%02d' "$i")
    cp "$fixtures/$name.mp3" "$tmp/in/${order_id[$name]}.mp3"
done

# --- callarchive: one offline import into a fresh archive; one stderr line per file:
#     ARCHIVE[/quarantine]/T01.mp3: VERDICT (DETAIL)
# The binary may be missing for a moment while it is rebuilt, so retry a few times.
declare -A verdict=()
attempt=0
while :; do
    attempt=$((attempt + 1))
    rm -rf "$tmp/archive" "$tmp/import.err" "$tmp/import-in"
    cp -r "$tmp/in" "$tmp/import-in"
    status=0
    if [[ -x $CALLARCHIVE ]]; then
        timeout 600 "$CALLARCHIVE" import --offline --archive "$tmp/archive" "$tmp/import-in" \
            >/dev/null 2>"$tmp/import.err" || status=$?
    else
        status=127
    fi
    verdict=()
    while IFS=$'\t' read -r id text; do
        verdict[$id]=$text
    done < <(sed -nE 's|^.*/(T[0-9]+)\.mp3: ([a-z_]+) \((.*)\)$|\1\t**\2**: \3|p' "$tmp/import.err" 2>/dev/null)
    [[ ${#verdict[@]} -eq ${#names[@]} ]] && break
    if ((attempt >= 10)); then
        echo "compare-checkers.sh: $CALLARCHIVE import gave ${#verdict[@]} of ${#names[@]} verdicts (exit $status):" >&2
        cat "$tmp/import.err" >&2 2>/dev/null || true
        exit 1
    fi
    sleep 3
done

# --- Condensers: one normalised message per line in, a short cell out. Repeated messages become
# "N× message", in order of first appearance; "skipped:N" lines are summed.
tally() {
    awk '
        /^skipped:/ { n = substr($0, 9); skipped += n; skips++; if (!("skip" in seen)) { seen["skip"] = 1; order[++k] = "skip" } next }
        NF { if (!($0 in seen)) { seen[$0] = 0; order[++k] = $0 } seen[$0]++ }
        END {
            out = ""
            for (j = 1; j <= k; j++) {
                m = order[j]
                if (m == "skip") s = "skipped " skipped " bytes"
                else if (m == "decoder error") s = seen[m] " decoder error" (seen[m] > 1 ? "s" : "")
                else s = (seen[m] > 1 ? seen[m] "× " : "") "\047" m "\047"
                out = out (out == "" ? "" : "; ") s
            }
            print out
        }'
}

# Markdown cell: no pipes or newlines.
cell() { sed -e 's/|/\\|/g' | tr '\n' ' ' | sed -e 's/ *$//'; }

# mpg123 -t -v: keep notes, warnings and errors; drop progress lines, the banner, "Trying to
# resync" (each is followed by "Skipped N bytes") and the per-format lines (summarised as the list of
# distinct MPEG version/layer pairs when there is more than one). libmpg123's internal
# "[src/...] error:" lines (bit allocation, part2_3_length, ...) are only counted.
mpg123_cell() {
    local file=$1 out status=0
    out=$(timeout 120 mpg123 -t -v "$file" 2>&1 >/dev/null) || status=$?
    out=$(printf '%s\n' "$out" | tr '\r' '\n' | sed -E 's/^> [0-9]+\+[0-9]+ .*p[+-][0-9.]+//')
    local messages formats
    messages=$(printf '%s\n' "$out" | sed -nE \
        -e 's/^Note: Illegal Audio-MPEG-Header .*/Illegal Audio-MPEG-Header/p' \
        -e 's/^Note: Skipped ([0-9]+) bytes in input\./skipped:\1/p' \
        -e 's/^Note: Hit end of \(available\) data during resync\./hit end of data during resync/p' \
        -e 's/^Warning: Big change.*Frankenstein stream\?/Frankenstein stream?/p' \
        -e 's/^Warning: Xing stream size off by more than 1%.*/Xing stream size off by more than 1%/p' \
        -e 's/^Warning: Encountered more data after announced end of track (\([^)]*\)).*/more data after announced end of track \1/p' \
        -e 's/^This was a Frankenstein track\./This was a Frankenstein track/p' \
        -e 's/^.*error: \.\.\.in decoding next frame: (.*)\. \((code [0-9]+)\)$/\1 (\2)/p' \
        -e '/Aborting layer I decoding after step one/d' \
        -e 's/^\[src[^]]*\] error: .*/decoder error/p' \
        -e '/^Note: Trying to resync/d' \
        -e 's/^(Note|Warning): (.*)/\2/p' \
        | tally)
    formats=$(printf '%s\n' "$out" | sed -nE 's/^MPEG ([0-9.]+) (L I+) .*/\1 \2/p' | awk '!seen[$0]++' | paste -sd, - | sed 's/,/, /g')
    local text="exit $status"
    if [[ -z $messages && -z $formats ]]; then
        text+="; decodes nothing, no message"
    elif [[ -z $messages ]]; then
        text+="; no warnings"
    else
        text+="; $messages"
    fi
    [[ $formats == *,* ]] && text+="; formats: $formats"
    printf '%s\n' "$text" | cell
}

# mp3val: WARNING/ERROR lines without the file name and offset, then the INFO frame count.
# "No supported tags in the file" is left out: mp3val says it for every file without ID3v1/APE.
mp3val_cell() {
    local file=$1 out status=0
    out=$(timeout 120 mp3val "$file" 2>&1) || status=$?
    local messages info
    messages=$(printf '%s\n' "$out" | sed -nE 's/^(WARNING|ERROR): "[^"]*"( \(offset [^)]*\))?: (.*)$/\1: \3/p' \
        | grep -v 'No supported tags in the file' \
        | sed -E 's/^WARNING: //; s/ See related INFO message for details\.//; s/\.$//' \
        | sed -E 's/Wrong number of MPEG (frames|data bytes) specified in Xing header/Wrong number of MPEG \1 in Xing header/' \
        | tally || true)
    info=$(printf '%s\n' "$out" | sed -nE 's/^INFO: "[^"]*": ([^,(]*(\([^)]*\))?).*/\1/p' | sed -E 's/\b0 V[0-9.]+L[0-9](, )?//g; s/, \)/)/; s/ *$//')
    local text=""
    [[ $status -ne 0 ]] && text="exit $status; "
    text+=${messages:-no warnings}
    [[ -n $info ]] && text+="; INFO: $info"
    printf '%s\n' "$text" | cell
}

# ffmpeg -v error: its error lines with addresses and positions taken out.
ffmpeg_cell() {
    local file=$1 out status=0
    out=$(timeout 120 ffmpeg -nostdin -hide_banner -v error -i "$file" -f null - 2>&1) || status=$?
    local messages
    messages=$(printf '%s\n' "$out" | sed -E \
        -e 's/^\[([a-z0-9_]+) @ 0x[0-9a-f]+\] /[\1] /' \
        -e "s|^$file:|FILE:|" \
        -e 's/(non monotonically increasing dts to muxer in stream [0-9]+): [0-9]+ >= [0-9]+/\1/' \
        -e 's/Could not seek to [0-9]+/Could not seek/' \
        -e 's/^Error while decoding stream #0:0: //' \
        | tally)
    local text=""
    [[ $status -ne 0 ]] && text="exit $status; "
    text+=${messages:-no errors}
    printf '%s\n' "$text" | cell
}

echo "| fixture | damage | callarchive | mpg123 -t | mp3val | ffmpeg |"
echo "|---|---|---|---|---|---|"
for name in "${names[@]}"; do
    file="$tmp/in/${order_id[$name]}.mp3"
    # shellcheck disable=SC2016  # the backticks are markdown
    printf '| `%s` | %s | %s | %s | %s | %s |\n' \
        "$name" \
        "$(printf '%s\n' "${damage[$name]}" | cell)" \
        "$(printf '%s\n' "${verdict[${order_id[$name]}]}" | cell)" \
        "$(mpg123_cell "$file")" \
        "$(mp3val_cell "$file")" \
        "$(ffmpeg_cell "$file")"
done

# Versions and date.
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [[ $commit != unknown && -n $(git -C "$root" status --porcelain -- Sources 2>/dev/null) ]]; then
    commit+=" with uncommitted changes under Sources/"
fi
echo
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') with:"
echo
shown=${CALLARCHIVE#"$root"/}
echo "- callarchive $("$CALLARCHIVE" --version 2>/dev/null || echo '?') (\`$shown\`, built $(date -u -r "$CALLARCHIVE" '+%Y-%m-%d %H:%M UTC'); source tree at $commit)"
echo "- $(mpg123 --version | head -1)"
echo "- mp3val $( (mp3val 2>&1 || true) | sed -nE 's/^Version ([^ ]*)\.$/\1/p' | head -1)"
echo "- $(ffmpeg -version | head -1 | sed -E 's/ Copyright .*//')"
