#!/usr/bin/env bash
# Builds the Debian package: the files deploy/install.sh installs (staged with --files-only), and
# maintainer scripts that do what install.sh does beyond files: postinst runs kiemdiem-setup
# (user, state directory, keys, units enabled on the first install) and restarts the services on
# an upgrade; prerm stops and disables them on removal; postrm --purge deletes the state, the
# configuration, the keys and the user.
#
#   deploy/build-deb.sh [--no-build]
#     --no-build  package the binaries already in $BIN (default .build/release)
#   BIN=DIR       the built binaries (implies --no-build); a release built here links the Swift
#                 runtime in (--static-swift-stdlib), so the package needs no Swift toolchain
#   OUT=DIR       where the .deb goes (default .build/deb); its path is printed
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
if [ "$build" = 1 ]; then
  (cd "$here" && swift build -c release --static-swift-stdlib)
  BIN=$here/.build/release
fi
BIN=${BIN:-$here/.build/release}

version=$(sed -n 's/.*kiemdiemVersion = "\(.*\)".*/\1/p' "$here/Sources/KiemDiemWire/Control.swift")
[ -n "$version" ] || { echo "build-deb.sh: cannot read kiemdiemVersion" >&2; exit 1; }
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root=$stage/root
DESTDIR=$root PREFIX=/usr BIN=$BIN bash "$here/deploy/install.sh" --no-build --files-only

# Depends: the package of every shared library the programs load (libzmq5, libsqlite3-0, libcurl4,
# libc6, …), found by dpkg; passwd for useradd in postinst. A library from no package (the Swift
# runtime of a build without --static-swift-stdlib) cannot be depended on: it is named, and such a
# package works only where that runtime is installed.
depends=(passwd)
unpackaged=()
for lib in $(readelf -d "$root/usr/bin/"* | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }' | sort -u); do
  pkg=$(dpkg -S "*/$lib" 2>/dev/null | head -1 | cut -d: -f1 || true)
  if [ -n "$pkg" ]; then depends+=("$pkg"); else unpackaged+=("$lib"); fi
done
if [ ${#unpackaged[@]} -gt 0 ]; then
  echo "build-deb.sh: warning: in no Debian package (build with --static-swift-stdlib): ${unpackaged[*]}" >&2
fi
depends_line=$(printf '%s\n' "${depends[@]}" | sort -u | paste -sd, | sed 's/,/, /g')

mkdir -p "$root/DEBIAN"
# Every file under /etc is the administrator's to edit: dpkg keeps their edits on upgrade.
(cd "$root" && find etc -type f | sort | sed 's#^#/#') > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<CONTROL
Package: kiemdiem
Version: $version
Architecture: $arch
Maintainer: kiemdiem maintainers <root@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends_line
Section: admin
Priority: optional
Description: party review campaign daemon (kiểm điểm, đánh giá, xếp loại)
 kiemdiemd schedules the stages and deadlines of a party committee's annual
 review campaign over an organization tree, publishes reminder, overdue and
 escalation events over ZeroMQ, and hands notifications to kiemdiem-worker
 processes. kiemdiemctl is the admin and subscriber CLI.
CONTROL

cat > "$root/DEBIAN/postinst" <<'SCRIPT'
#!/bin/sh
# $1 = configure, $2 = the version upgraded from (empty on a first install).
set -e
if [ "$1" = configure ]; then
  /usr/lib/kiemdiem/kiemdiem-setup
  if [ -n "$2" ] && [ -d /run/systemd/system ]; then
    systemctl try-restart kiemdiemd.service 'kiemdiem-worker@*.service' || true
  fi
fi
exit 0
SCRIPT

cat > "$root/DEBIAN/prerm" <<'SCRIPT'
#!/bin/sh
# On removal: stop and disable the daemon, every worker instance and the target (an upgrade
# keeps them running; postinst restarts them on the new version).
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  workers=$(systemctl list-units --all --plain --no-legend 'kiemdiem-worker@*.service' | awk '{ print $1 }')
  workers="$workers $(find /etc/systemd/system -name 'kiemdiem-worker@*.service' -printf '%f\n' 2>/dev/null | sort -u)"
  # shellcheck disable=SC2086
  systemctl disable --now kiemdiem.target kiemdiemd.service $workers || true
fi
exit 0
SCRIPT

cat > "$root/DEBIAN/postrm" <<'SCRIPT'
#!/bin/sh
# remove: systemd forgets the units. purge: the database, the configuration with the keys, the
# admin's key and the user go too.
set -e
if [ -d /run/systemd/system ]; then systemctl daemon-reload || true; fi
if [ "$1" = purge ]; then
  rm -rf /var/lib/kiemdiem /etc/kiemdiem /root/.config/kiemdiem
  if getent passwd kiemdiem >/dev/null; then userdel kiemdiem || true; fi
  if getent group kiemdiem >/dev/null; then groupdel kiemdiem || true; fi
fi
exit 0
SCRIPT
chmod 0755 "$root/DEBIAN/postinst" "$root/DEBIAN/prerm" "$root/DEBIAN/postrm"

mkdir -p "$OUT"
deb=$OUT/kiemdiem_${version}_${arch}.deb
dpkg-deb --build --root-owner-group "$root" "$deb" >&2
echo "$deb"
