#!/usr/bin/env bash
# The daemon's memory against the size of the tree: imports a generated bloc of SCALE times the
# sample (100 ≈ 513,000 members) through kiemdiemctl, restarts the daemon on that database and
# reads its RSS before and after firing member-stage reminders to every cell.
# Usage: bench/daemon-memory.sh [SCALE] [BIN]   (release binaries: make release)
set -euo pipefail
scale=${1:-100}
bin=${2:-$(cd "$(dirname "$0")/.." && pwd)/.build/release}
here=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
python3 "$here/config/samples/generate.py" --scale "$scale" --out "$dir" 2>/dev/null
cat > "$dir/cfg.yaml" <<Y
database: $dir/db.sqlite
clock: {mode: simulated, start: 2022-11-01T08:00:00+07:00}
endpoints: {control: "ipc://$dir/control", events: "ipc://$dir/events", jobs: "ipc://$dir/jobs"}
Y
rss() { awk '/VmRSS/ {printf "%.1f MiB", $2/1024}' "/proc/$pid/status"; }
start() {
  "$bin/kiemdiemd" --config "$dir/cfg.yaml" 2> "$dir/log" & pid=$!
  until grep -q ' ready ' "$dir/log"; do kill -0 $pid; sleep 0.1; done
}
ctl() { "$bin/kiemdiemctl" "$@" --endpoint "ipc://$dir/control" --timeout 900; }
start
echo "empty daemon:                        $(rss)"
/usr/bin/time -f "  import units   %e s" ctl import units "$dir/units.csv"
/usr/bin/time -f "  import members %e s" ctl import members "$dir/members.csv"
ctl campaign load "$here/config/plans/2022-annual.yaml" > /dev/null
echo "after the import (transient):        $(rss)"
kill -TERM $pid; wait $pid || true
start
echo "restarted on that database:          $(rss)"
/usr/bin/time -f "  advance 17d    %e s" ctl clock advance 17d
echo "after a reminder to every cell:      $(rss)"
ctl status | sed -n '4,5p'
