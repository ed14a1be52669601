#!/usr/bin/env bash
# Removes what deploy/install.sh installed: the binaries, the units, the setup script and the docs,
# after stopping and disabling the units. Keeps the configuration and keys (/etc/kiemdiem), the
# database (/var/lib/kiemdiem) and the `kiemdiem` user, unless --purge.
# Idempotent: what is already gone is skipped.
#
#   deploy/uninstall.sh [--purge]
#   DESTDIR=DIR   remove from under DIR (as install.sh installed it there)
#   PREFIX=/usr   as given to install.sh
set -euo pipefail
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}
PREFIX=${PREFIX:-/usr}
purge=0
for arg in "$@"; do
  case $arg in
    --purge) purge=1 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "uninstall.sh: unknown argument $arg (see --help)" >&2; exit 2 ;;
  esac
done

units=$DESTDIR/lib/systemd/system
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  # Every worker instance there is, enabled or running, then the daemon and the target.
  workers=$(systemctl list-units --all --plain --no-legend 'kiemdiem-worker@*.service' | awk '{ print $1 }')
  workers+=" $(find /etc/systemd/system -name 'kiemdiem-worker@*.service' -printf '%f\n' 2>/dev/null | sort -u)"
  # shellcheck disable=SC2086
  systemctl disable --now kiemdiem.target kiemdiemd.service $workers 2>/dev/null || true
fi
rm -f "$DESTDIR$PREFIX/bin/kiemdiemd" "$DESTDIR$PREFIX/bin/kiemdiemctl" "$DESTDIR$PREFIX/bin/kiemdiem-worker"
rm -f "$units/kiemdiemd.service" "$units/kiemdiem-worker@.service" "$units/kiemdiem.target"
rm -rf "$DESTDIR$PREFIX/lib/kiemdiem" "$DESTDIR$PREFIX/share/doc/kiemdiem"
for p in kiemdiemd kiemdiemctl kiemdiem-worker; do
  rm -f "$DESTDIR$PREFIX/share/man/man1/$p"*.1 "$DESTDIR$PREFIX/share/bash-completion/completions/$p" \
        "$DESTDIR$PREFIX/share/zsh/vendor-completions/_$p" "$DESTDIR$PREFIX/share/fish/vendor_completions.d/$p.fish"
done
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then systemctl daemon-reload; fi

if [ "$purge" = 1 ]; then
  rm -rf "$DESTDIR/etc/kiemdiem" "$DESTDIR/var/lib/kiemdiem"
  if grep -q '^kiemdiem:' "$DESTDIR/etc/passwd" 2>/dev/null; then
    if [ -n "$DESTDIR" ]; then userdel --root "$DESTDIR" kiemdiem; else userdel kiemdiem; fi
  fi
  # userdel leaves the group when another user is in it; it is ours alone.
  if grep -q '^kiemdiem:' "$DESTDIR/etc/group" 2>/dev/null; then
    if [ -n "$DESTDIR" ]; then groupdel --root "$DESTDIR" kiemdiem; else groupdel kiemdiem; fi
  fi
  echo "kiemdiem purged: configuration, keys, database and user removed" >&2
else
  echo "kiemdiem removed; kept /etc/kiemdiem (configuration, keys) and /var/lib/kiemdiem (database): --purge removes them" >&2
fi
