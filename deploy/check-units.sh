#!/usr/bin/env bash
# Checks the systemd units: `systemd-analyze verify` has nothing to say about any of them, and
# `systemd-analyze security --offline=yes` rates each service's exposure at most 2.0 (MAX_EXPOSURE).
#
# verify checks that the programs a unit runs exist, so it runs against a temporary root laid out
# as an installed system: deploy/install.sh --files-only with the binaries in $BIN (default
# .build/debug), this machine's own system units (sysinit.target and the like, which the units
# depend on) and /bin/kill (ExecReload=).
#
#   BIN=DIR deploy/check-units.sh      prints one line per unit, exits non-zero on any finding
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$here/.build/debug}
MAX_EXPOSURE=${MAX_EXPOSURE:-2.0}
command -v systemd-analyze >/dev/null || { echo "check-units: systemd-analyze is missing (apt-get install systemd)" >&2; exit 1; }

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR=$root BIN=$BIN bash "$here/deploy/install.sh" --no-build --files-only
cp -an /lib/systemd/system/. "$root/lib/systemd/system/"
install -D -m 0755 "$(readlink -f /bin/kill)" "$root/bin/kill"

units=(kiemdiemd.service kiemdiem-worker@.service kiemdiem-worker@1.service kiemdiem.target)
failed=0
for u in "${units[@]}"; do
  # A template is checked through an instance of it; verify looks the instance up in the root.
  # Documentation=man:… is looked up with man(1): the root's own pages, which install.sh put there.
  out=$(cd "$root/lib/systemd/system" && MANPATH="$root/usr/share/man" systemd-analyze verify --root="$root" "$u" 2>&1) || failed=1
  if [ -n "$out" ]; then
    printf 'verify %s: FAILED\n%s\n' "$u" "$out"
    failed=1
  else
    echo "verify $u: clean"
  fi
done
for u in kiemdiemd.service kiemdiem-worker@.service; do
  line=$(systemd-analyze security --offline=yes --root="$root" "$root/lib/systemd/system/$u" 2>&1 | grep 'Overall exposure level' || true)
  score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<< "$line")
  if [ -z "$score" ]; then
    echo "security $u: no score"; failed=1
  elif awk -v s="$score" -v m="$MAX_EXPOSURE" 'BEGIN { exit !(s <= m) }'; then
    echo "security $u: exposure $score (at most $MAX_EXPOSURE)"
  else
    echo "security $u: exposure $score is above $MAX_EXPOSURE"; failed=1
  fi
done
exit $failed
