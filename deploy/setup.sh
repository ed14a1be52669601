#!/usr/bin/env bash
# What installing kiemdiem does beyond copying files: the `kiemdiem` system user, the state
# directory, the CURVE keys with their owners and modes, and the systemd units enabled.
# Run by deploy/install.sh and by the .deb's postinst (installed as /usr/lib/kiemdiem/kiemdiem-setup).
#
# Idempotent: what exists is kept (a key is never made twice), only owners and modes are set again.
#
#   ROOT=DIR      operate on an alternate root (install.sh's DESTDIR): the user goes into
#                 DIR/etc/passwd and DIR/etc/group, files are owned by its numeric uid and gid,
#                 and systemctl is not run. Default: the running system.
#   WORKERS=N     worker keys to make: worker-1 … worker-N (default 2)
#   CTL=PATH      the kiemdiemctl that makes keys (default ROOT/usr/bin/kiemdiemctl)
#   ENABLE=auto   enable the units on the first install only (when the user is made here), so a
#                 unit an operator disabled stays disabled; 1: always; 0: never
#   SYSTEMCTL=0   never run systemctl (the .deb's postinst: debhelper's part handles the units)
#
# The administrator's key goes to /etc/kiemdiem/keys/admin.key_secret (root's only), and
# /etc/kiemdiem/ctl.yaml points kiemdiemctl at the daemon and that key.
set -euo pipefail
ROOT=${ROOT:-}
ROOT=${ROOT%/}
WORKERS=${WORKERS:-2}
SYSTEMCTL=${SYSTEMCTL:-1}
CTL=${CTL:-$ROOT/usr/bin/kiemdiemctl}
ENABLE=${ENABLE:-auto}
first_install=0
[[ $WORKERS =~ ^[0-9]+$ ]] || { echo "kiemdiem-setup: WORKERS must be a number" >&2; exit 2; }
[ -x "$CTL" ] || { echo "kiemdiem-setup: $CTL is missing (kiemdiemctl makes the keys)" >&2; exit 2; }

# The system user and group. In an alternate root, useradd --root edits that root's files.
if ! grep -q '^kiemdiem:' "$ROOT/etc/passwd" 2>/dev/null; then
  first_install=1
  args=(--system --user-group --home-dir /var/lib/kiemdiem --no-create-home --shell /usr/sbin/nologin --comment "kiemdiem daemon")
  if [ -n "$ROOT" ]; then
    mkdir -p "$ROOT/etc"
    for f in passwd group; do [ -e "$ROOT/etc/$f" ] || install -m 0644 /dev/null "$ROOT/etc/$f"; done
    for f in shadow gshadow; do [ -e "$ROOT/etc/$f" ] || install -m 0640 /dev/null "$ROOT/etc/$f"; done
    # useradd warns that the root has no /usr/sbin/nologin; the entry is right all the same.
    useradd --root "$ROOT" "${args[@]}" kiemdiem 2> >(grep -v "missing or non-executable shell" >&2)
  else
    useradd "${args[@]}" kiemdiem
  fi
fi
uid=$(awk -F: '$1 == "kiemdiem" { print $3 }' "$ROOT/etc/passwd")
gid=$(awk -F: '$1 == "kiemdiem" { print $3 }' "$ROOT/etc/group")
[ -n "$uid" ] && [ -n "$gid" ] || { echo "kiemdiem-setup: no kiemdiem user or group in $ROOT/etc" >&2; exit 1; }

# State: the database and the spool; only the service user gets in.
install -d -m 0750 -o "$uid" -g "$gid" "$ROOT/var/lib/kiemdiem"

# Keys (docs/security.md). The directory is root's; the service reads through its group.
keys=$ROOT/etc/kiemdiem/keys
install -d -m 0750 -o 0 -g "$gid" "$keys"
[ -e "$keys/authorized_keys" ] || install -m 0640 -o 0 -g "$gid" /dev/null "$keys/authorized_keys"
keygen() { # NAME ROLE DIR: a key pair, its authorized-keys line appended when it has a role
  local line
  [ -e "$3/$1.key_secret" ] && return 0
  if [ -n "$2" ]; then
    line=$("$CTL" keygen --name "$1" --role "$2" --out "$3")
    printf '%s\n' "$line" >> "$keys/authorized_keys"
  else
    "$CTL" keygen --name "$1" --out "$3" > /dev/null
  fi
  echo "kiemdiem-setup: made key $1${2:+ ($2)} in ${3#$ROOT}" >&2
}
keygen server "" "$keys"
for n in $(seq 1 "$WORKERS"); do keygen "worker-$n" worker "$keys"; done
keygen admin admin "$keys"

# Owners and modes, set on every run: secret keys readable by their user only.
for f in "$keys"/*.key_secret; do chown "$uid:$gid" "$f"; chmod 0600 "$f"; done
for f in "$keys"/*.key; do chown 0:0 "$f"; chmod 0644 "$f"; done
chown "0:$gid" "$keys/authorized_keys"; chmod 0640 "$keys/authorized_keys"
# The administrator's secret key is root's alone, not the service's.
chown 0:0 "$keys/admin.key_secret"; chmod 0600 "$keys/admin.key_secret"
# kiemdiemctl's system-wide settings (a user's ~/.config/kiemdiem/ctl.yaml overrides them).
ctl=$ROOT/etc/kiemdiem/ctl.yaml
if [ ! -e "$ctl" ]; then
  cat > "$ctl" <<YAML
# kiemdiemctl's settings for this machine; ~/.config/kiemdiem/ctl.yaml, KIEMDIEM_* and flags win.
endpoint: tcp://127.0.0.1:7400
key: /etc/kiemdiem/keys/admin.key_secret
server_key: /etc/kiemdiem/keys/server.key
YAML
fi
chown 0:0 "$ctl"; chmod 0644 "$ctl"

# The units, on the running system only: systemd re-reads them; enabled on the first install.
if [ "$ENABLE" = auto ]; then ENABLE=$first_install; fi
if [ -z "$ROOT" ] && [ "$SYSTEMCTL" = 1 ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  if [ "$ENABLE" = 1 ]; then
    instances=()
    for n in $(seq 1 "$WORKERS"); do instances+=("kiemdiem-worker@$n.service"); done
    systemctl enable kiemdiem.target kiemdiemd.service "${instances[@]}"
  fi
fi
