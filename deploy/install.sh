#!/usr/bin/env bash
# Installs kiemdiem on this machine (or into DESTDIR): the binaries, the configuration, the
# systemd units, then (deploy/setup.sh) the `kiemdiem` user, /var/lib/kiemdiem, the keys and the
# units enabled. Idempotent: a second run changes nothing that is already right, never makes a key
# twice and never overwrites a configuration file an operator may have edited.
#
#   deploy/install.sh [--no-build] [--files-only]
#     --no-build    use the binaries already in $BIN (default .build/release)
#     --files-only  only the files a package ships: no user, keys, ownership or systemctl
#                   (deploy/build-deb.sh stages the .deb with it; its postinst does the rest)
#   DESTDIR=DIR     install under DIR (a test's temp root); default: the real system
#   PREFIX=/usr     where bin/, lib/kiemdiem/ and share/ go
#   BIN=DIR         the built kiemdiemd, kiemdiemctl and kiemdiem-worker (implies --no-build)
#   WORKERS=N       worker keys made and worker units enabled (default 2)
#
# Layout (docs/operations.md): PREFIX/bin/{kiemdiemd,kiemdiemctl,kiemdiem-worker},
# /etc/kiemdiem/{kiemdiem.yaml,worker.env,templates/ (empty: overrides),plans/,keys/}, /var/lib/kiemdiem,
# /lib/systemd/system/{kiemdiemd.service,kiemdiem-worker@.service,kiemdiem.target},
# PREFIX/lib/kiemdiem/kiemdiem-setup, PREFIX/share/doc/kiemdiem/ (README.md, LICENSE, docs/,
# config/kiemdiem.yaml and
# config/examples/ as in the repository, so their links hold), PREFIX/share/man/man1/,
# shell completion for bash, zsh and fish, and /etc/kiemdiem/ctl.yaml with the admin key in keys/.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}
PREFIX=${PREFIX:-/usr}
WORKERS=${WORKERS:-2}
build=1
files_only=0
for arg in "$@"; do
  case $arg in
    --no-build) build=0 ;;
    --files-only) files_only=1 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done
[ -n "${BIN:-}" ] && build=0
if [ "$build" = 1 ]; then
  # The Swift runtime linked in, so the machine needs no Swift toolchain (only libzmq5).
  (cd "$here" && swift build -c release --static-swift-stdlib)
  BIN=$here/.build/release
  bash "$here/deploy/gen-cli-docs.sh" "$BIN"
fi
BIN=${BIN:-$here/.build/release}
for b in kiemdiemd kiemdiemctl kiemdiem-worker; do
  [ -x "$BIN/$b" ] || { echo "install.sh: $BIN/$b is missing; build first or set BIN" >&2; exit 1; }
done

# A file we own outright (binaries, units, docs): replaced when it changed, else left untouched.
put() { # MODE SRC DEST
  if ! cmp -s "$2" "$3"; then install -D -m "$1" "$2" "$3"; else chmod "$1" "$3"; fi
}
# A configuration file: installed when missing; an operator's copy is kept, and a newer shipped
# version, when it differs, is put beside it as FILE.dist with a note.
conf() { # SRC DEST
  if [ ! -e "$2" ]; then
    install -D -m 0644 "$1" "$2"
  elif ! cmp -s "$1" "$2"; then
    if ! cmp -s "$1" "$2.dist"; then
      install -m 0644 "$1" "$2.dist"
      echo "install.sh: kept your ${2#$DESTDIR}; the shipped version is ${2#$DESTDIR}.dist" >&2
    fi
  fi
}

for b in kiemdiemd kiemdiemctl kiemdiem-worker; do put 0755 "$BIN/$b" "$DESTDIR$PREFIX/bin/$b"; done
put 0755 "$here/deploy/setup.sh" "$DESTDIR$PREFIX/lib/kiemdiem/kiemdiem-setup"
units=$DESTDIR/lib/systemd/system
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for u in kiemdiemd.service kiemdiem-worker@.service kiemdiem.target; do
  # The units run /usr/bin/…: another PREFIX is written into them.
  sed "s#/usr/bin/#$PREFIX/bin/#g" "$here/systemd/$u" > "$tmp/$u"
  put 0644 "$tmp/$u" "$units/$u"
done
# The documentation as laid out in the repository, so that every link in it resolves
# (tests/docs/check_links.py --root checks an installed copy).
doc=$DESTDIR$PREFIX/share/doc/kiemdiem
for d in README.md LICENSE config/kiemdiem.yaml $(cd "$here" && find docs config/examples \( -type f -o -type l \) | sort); do
  put 0644 "$here/$d" "$doc/$d"
done
# Manual pages and shell completion, generated from the programs (deploy/gen-cli-docs.sh).
# (`make build`, `make release` and this script's own build make them; never here, since a Swift
# build may be holding the build directory, as `swift test` does while install.sh runs in a test.)
[ -d "$BIN/cli-docs/man1" ] || { echo "install.sh: no manual pages in $BIN/cli-docs: run deploy/gen-cli-docs.sh $BIN" >&2; exit 1; }
share=$DESTDIR$PREFIX/share
for f in "$BIN"/cli-docs/man1/*.1; do put 0644 "$f" "$share/man/man1/$(basename "$f")"; done
for b in kiemdiemd kiemdiemctl kiemdiem-worker; do
  put 0644 "$BIN/cli-docs/bash/$b" "$share/bash-completion/completions/$b"
  put 0644 "$BIN/cli-docs/zsh/_$b" "$share/zsh/vendor-completions/_$b"
  put 0644 "$BIN/cli-docs/fish/$b.fish" "$share/fish/vendor_completions.d/$b.fish"
done
etc=$DESTDIR/etc/kiemdiem
install -d -m 0755 "$etc" "$etc/templates" "$etc/plans"
conf "$here/deploy/etc/kiemdiem.yaml" "$etc/kiemdiem.yaml"
conf "$here/deploy/etc/worker.env" "$etc/worker.env"
# The letters are built into the worker; /etc/kiemdiem/templates is for the ones an agency
# rewords (a file there replaces the built-in one), and the originals are kept to copy from.
for t in "$here"/config/templates/*.mustache; do put 0644 "$t" "$DESTDIR$PREFIX/share/doc/kiemdiem/templates/$(basename "$t")"; done
for p in "$here"/config/plans/*.yaml; do conf "$p" "$etc/plans/$(basename "$p")"; done

[ "$files_only" = 1 ] && exit 0
ROOT=$DESTDIR WORKERS=$WORKERS CTL=$DESTDIR$PREFIX/bin/kiemdiemctl bash "$here/deploy/setup.sh"
if [ -z "$DESTDIR" ]; then
  echo "kiemdiem installed. Start it: systemctl start kiemdiem.target; then, as root: kiemdiemctl status" >&2
fi
