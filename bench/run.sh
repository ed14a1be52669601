#!/usr/bin/env bash
# Runs kiemdiem-bench (release) on generated blocs of growing size, then the end-to-end delivery
# bench (bench/e2e.py: real processes and sockets, Celery + Redis beside them). SCALES="1 20 100"
# by default; scale 1 is the sample bloc (~5,200 members), scale 100 about 520,000 members.
# E2E=0 skips the end-to-end part. SCALES=national runs bench/national.py instead: the national
# tree (generated once into .build-bench/national, about 700 MB), loaded offline and through
# kiemdiemctl, with status, reports, restart and the 7-day reminder to every cell.
set -euo pipefail
bin=${1:-$(dirname "$0")/../.build/release}
here=$(cd "$(dirname "$0")/.." && pwd)
if [ "${SCALES:-}" = national ]; then
  exec python3 "$here/bench/national.py" --bin "$bin"
fi
for scale in ${SCALES:-1 20 100}; do
  out=$(mktemp -d)
  python3 "$here/config/samples/generate.py" --scale "$scale" --out "$out" 2>/dev/null
  echo "== scale $scale"
  /usr/bin/time -f "peak RSS %M KiB, wall %e s" "$bin/kiemdiem-bench" "$out/units.csv" "$out/members.csv" "$here/config/plans/2022-annual.yaml"
  rm -rf "$out"
done
if [ "${E2E:-1}" != 0 ]; then
  bash "$here/bench/install-baselines.sh"
  for scale in ${SCALES:-1 20 100}; do
    python3 "$here/bench/e2e.py" --bin "$bin" --scale "$scale"
  done
fi
