#!/usr/bin/env bash
# `make dist-check`: unpacks the tarball into an empty prefix and runs it with a bare
# environment (env -i: no PATH, no HOME, no Swift toolchain in sight): --version, --help, the
# man page, the completions, and a real fetch from the binary's own simulator. Then the .deb:
# its Depends and its files.
set -euo pipefail
cd "$(dirname "$0")/.."
tarball=$(ls dist/callarchive-*-linux-"$(uname -m)".tar.gz | sort | tail -n 1)
prefix=$(mktemp -d)
work=$(mktemp -d)
cleanup() { [ -n "${sim:-}" ] && kill "$sim" 2>/dev/null; rm -rf "$prefix" "$work"; }
trap cleanup EXIT
tar -C "$prefix" --strip-components=1 -xzf "$tarball"
bin="$prefix/bin/callarchive"
fail() { echo "dist-check: $*" >&2; exit 1; }

env -i "$bin" --version | grep -Eq '^[0-9]+\.[0-9]+' || fail "--version"
env -i "$bin" --help | grep -q 'USAGE: callarchive' || fail "--help"
grep -q '^\.Dt CALLARCHIVE 1' "$prefix/share/man/man1/callarchive.1" || fail "the man page"
env -i MANWIDTH=80 man -l "$prefix/share/man/man1/callarchive.1" 2>/dev/null | grep -q 'prune' || fail "the man page does not render"
bash -n "$prefix/share/bash-completion/completions/callarchive" || fail "bash completion"
grep -q '#compdef callarchive' "$prefix/share/zsh/site-functions/_callarchive" || fail "zsh completion"
grep -q "complete -c 'callarchive'" "$prefix/share/fish/vendor_completions.d/callarchive.fish" || fail "fish completion"
! ldd "$bin" | grep -q 'not found' || fail "a library is missing: $(ldd "$bin" | grep 'not found')"

port=$((20000 + RANDOM % 20000))
env -i "$bin" simulate --port "$port" > /dev/null 2>&1 &
sim=$!
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
env -i "$bin" fetch --archive "$work/archive" --api-url "http://127.0.0.1:$port/calls" DIST01 DIST02 > "$work/out" 2>&1 \
  || { cat "$work/out"; fail "fetch"; }
[ -s "$work/archive/DIST01.mp3" ] || fail "fetch wrote no DIST01.mp3"
env -i "$bin" search --archive "$work/archive" --format csv --fields order_id,verdict | grep -q 'DIST01,valid' || fail "search"

deb=$(ls dist/callarchive_*.deb 2>/dev/null | sort | tail -n 1 || true)
if [ -n "$deb" ]; then
  depends=$(dpkg-deb -f "$deb" Depends)
  for lib in libmpg123-0 libsqlite3-0 libebur128-1; do echo "$depends" | grep -q "$lib" || fail ".deb Depends lacks $lib: $depends"; done
  dpkg-deb -c "$deb" > "$work/deb-files"
  grep -q './usr/bin/callarchive$' "$work/deb-files" || fail ".deb has no usr/bin/callarchive"
  grep -q './usr/share/man/man1/callarchive.1.gz$' "$work/deb-files" || fail ".deb has no man page"
fi
echo "dist-check: $tarball runs from an empty prefix with a bare environment"
