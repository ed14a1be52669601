#!/usr/bin/env bash
# Starts kiemdiemd on the sample bloc and the 2022 plan with a simulated clock at the campaign's
# opening, then stays in the foreground until Ctrl-C. State lives in $STATE (default ./state);
# a second run resumes where the first stopped.
#
#   CONTROL, EVENTS, JOBS, HTTP   the endpoints of a first run (defaults tcp://127.0.0.1:7400,
#                                 7401, 7402 and 127.0.0.1:8080; a test gives ipc:// and port 0)
#
# It prints "kiemdiemd is running" when the tree and the plan are in and the worker started.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
STATE=${STATE:-$here/state}
BIN=${BIN:-$here/.build/release}
CONTROL=${CONTROL:-tcp://127.0.0.1:7400}
EVENTS=${EVENTS:-tcp://127.0.0.1:7401}
JOBS=${JOBS:-tcp://127.0.0.1:7402}
HTTP=${HTTP:-127.0.0.1:8080}
mkdir -p "$STATE"
# CURVE on: the server key and an admin key are made once, under the state directory.
keys=$STATE/keys
if [ ! -f "$keys/server.key_secret" ]; then
  mkdir -p "$keys" && chmod 700 "$keys"
  "$BIN/kiemdiemctl" keygen --name server --out "$keys" >/dev/null
fi
for who in admin:admin worker-1:worker; do
  if [ ! -f "$keys/${who%%:*}.key_secret" ]; then
    "$BIN/kiemdiemctl" keygen --name "${who%%:*}" --role "${who##*:}" --out "$keys" >> "$keys/authorized_keys"
  fi
done
config=$STATE/kiemdiem.yaml
if [ ! -f "$config" ]; then
  cat > "$config" <<YAML
database: $STATE/kiemdiem.sqlite
timezone: Asia/Ho_Chi_Minh
clock:
  mode: simulated
  start: 2022-11-01T08:00:00+07:00
endpoints:
  control: $CONTROL
  events: $EVENTS
  jobs: $JOBS
events:
  heartbeat: 5s
http:
  listen: $HTTP
security:
  curve: true
  server_secret_key_file: $keys/server.key_secret
  authorized_keys_file: $keys/authorized_keys
YAML
fi
log=$STATE/kiemdiemd.log
: > "$log"
"$BIN/kiemdiemd" --config "$config" 2> >(tee -a "$log" >&2) &
pid=$!
# Whatever ends this script (Ctrl-C, a failed step) stops the daemon with it.
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM EXIT
# Wait for the readiness line (or the daemon's death), not for a fixed time.
for _ in $(seq 1 300); do
  grep -q ' ready control=' "$log" && break
  kill -0 $pid 2>/dev/null || { echo "kiemdiemd failed to start; see $log" >&2; exit 1; }
  sleep 0.1
done
grep -q ' ready control=' "$log" || { echo "kiemdiemd did not become ready; see $log" >&2; kill $pid; exit 1; }
# kiemdiemctl's settings: the endpoint the daemon was configured with, and the admin's key.
control=$(sed -n 's/^  control: //p' "$config")
jobs=$(sed -n 's/^  jobs: //p' "$config")
cat > "$STATE/ctl.yaml" <<YAML
# kiemdiemctl's settings for the sample daemon: cp $STATE/ctl.yaml ~/.config/kiemdiem/ctl.yaml
endpoint: $control
key: $keys/admin.key_secret
server_key: $keys/server.key
YAML
export KIEMDIEM_CONFIG=$STATE/ctl.yaml
ctl() { "$BIN/kiemdiemctl" "$@"; }
ctl import units "$here/config/samples/units.csv"
ctl import members "$here/config/samples/members.csv"
ctl campaign load "$here/config/plans/2022-annual.yaml" >/dev/null
ctl status
# The committee's page: a link with a token for the whole bloc (a new one each run).
page=$(ctl token issue --unit duk --role committee --expires 30d --label "make run" | grep '/t/' || true)
# One worker delivers reminders and escalations into the maildir $STATE/spool/new.
"$BIN/kiemdiem-worker" --endpoint "$jobs" --key "$keys/worker-1.key_secret" --server-key "$keys/server.key" \
  --spool "$STATE/spool" --templates "$here/config/templates" --name worker-1 2>> "$STATE/worker.log" &
wpid=$!
trap 'kill -TERM $wpid $pid 2>/dev/null; wait $pid' INT TERM EXIT
cat <<TXT

kiemdiemd is running (pid $pid) with CURVE on. In another terminal:
  mkdir -p ~/.config/kiemdiem && cp $STATE/ctl.yaml ~/.config/kiemdiem/   # once: the endpoint and the keys
  $BIN/kiemdiemctl watch                       # live events
  $BIN/kiemdiemctl clock advance 17d           # to 18 Nov: the first reminders
  $BIN/kiemdiemctl done co-quan-duk self-review
  $BIN/kiemdiemctl overdue
  $BIN/kiemdiemctl jobs                        # deliveries; the messages are in $STATE/spool/new
The committee's page (open it in a browser on this machine): ${page:-set http.listen in $config}
Ctrl-C stops it; 'make run' again resumes where it stopped.
TXT
wait $pid
