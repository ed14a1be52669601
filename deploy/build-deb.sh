#!/usr/bin/env bash
# Builds the Debian package from debian/ with dpkg-buildpackage (debhelper: sysusers.d,
# tmpfiles.d, dh_installsystemd), then checks it with lintian: any error fails the build, and the
# tags lintian reports are kept beside the package.
#
#   deploy/build-deb.sh [--no-build]
#     --no-build  package the binaries already in $BIN (default .build/release)
#   BIN=DIR       the built binaries (implies --no-build); a release built here links the Swift
#                 runtime in (--static-swift-stdlib), so the package needs no Swift toolchain
#   OUT=DIR       where the .deb, .buildinfo, .changes and lintian.txt go (default .build/deb);
#                 the .deb's path is printed
#   DPKG_DEB_COMPRESSOR_TYPE=none   a faster, larger package (the tests' debug build)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
OUT=${OUT:-$here/.build/deb}
build=1
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "build-deb.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "${BIN:-}" ] && build=0
[ "$build" = 0 ] && BIN=$(cd "${BIN:-$here/.build/release}" && pwd)

# --version must be the package's version (a test checks it too).
version=$(dpkg-parsechangelog -l "$here/debian/changelog" -S Version)
code=$(sed -n 's/.*kiemdiemVersion = "\(.*\)".*/\1/p' "$here/Sources/KiemDiemWire/Control.swift")
[ "$version" = "$code" ] || { echo "build-deb.sh: debian/changelog says $version, kiemdiemVersion says $code" >&2; exit 1; }

# dpkg-buildpackage writes beside the source tree: one build at a time.
mkdir -p "$here/.build"
exec 9> "$here/.build/deb.lock"
flock 9
parent=$(dirname "$here")
arch=$(dpkg --print-architecture)
(cd "$here" && KIEMDIEM_BIN=$([ "$build" = 0 ] && echo "$BIN") dpkg-buildpackage -b -us -uc --no-pre-clean >&2)
mkdir -p "$OUT"
for f in "kiemdiem_${version}_${arch}.deb" "kiemdiem_${version}_${arch}.buildinfo" "kiemdiem_${version}_${arch}.changes"; do
  mv -f "$parent/$f" "$OUT/$f"
done
(cd "$here" && dh_clean >&2)
deb=$OUT/kiemdiem_${version}_${arch}.deb

# lintian: errors fail; every warning left is explained in debian/kiemdiem.lintian-overrides or
# docs/operations.md ("The Debian package").
lintian --fail-on error --display-info --info "$deb" > "$OUT/lintian.txt" 2>&1 || { cat "$OUT/lintian.txt" >&2; echo "build-deb.sh: lintian found errors" >&2; exit 1; }
echo "build-deb.sh: lintian: $(grep -c '^E:' "$OUT/lintian.txt" || true) errors, $(grep -c '^W:' "$OUT/lintian.txt" || true) warnings, $(grep -c '^I:' "$OUT/lintian.txt" || true) notes ($OUT/lintian.txt)" >&2
echo "$deb"
