#!/usr/bin/env bash
# `make deb`: dist/callarchive_VERSION_ARCH.deb from the tree `make dist` staged; Depends name
# the C libraries the binary needs at run time (the Swift runtime is inside it).
set -euo pipefail
cd "$(dirname "$0")/.."
RUNTIME_DEPENDS=${RUNTIME_DEPENDS:-"libc6, libstdc++6, libgcc-s1, zlib1g, libmpg123-0, libsqlite3-0, libebur128-1"}
stage=$(ls -d dist/callarchive-*-linux-"$(uname -m)" | sort | tail -n 1)
[ -d "$stage" ] || { echo "deb: run make dist first" >&2; exit 1; }
version=$("$stage/bin/callarchive" --version)
arch=$(dpkg --print-architecture)
root="dist/deb/callarchive_${version}_$arch"
rm -rf "$root" && mkdir -p "$root/DEBIAN" "$root/usr"
cp -R "$stage/bin" "$stage/share" "$root/usr/"
gzip -9n "$root/usr/share/man/man1/callarchive.1"
cat > "$root/DEBIAN/control" <<CONTROL
Package: callarchive
Version: $version
Architecture: $arch
Maintainer: callarchive maintainers <callarchive@localhost>
Depends: $RUNTIME_DEPENDS
Section: utils
Priority: optional
Description: download call recordings, prove every MP3 whole, keep a searchable catalog
 callarchive fetches telephone call recordings from the telephony API, decodes each
 with libmpg123 to prove it whole, and keeps one SQLite row per call.
CONTROL
dpkg-deb --root-owner-group --build "$root" "dist/callarchive_${version}_$arch.deb" >/dev/null
echo "dist/callarchive_${version}_$arch.deb"
