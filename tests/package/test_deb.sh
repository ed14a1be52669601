#!/usr/bin/env bash
# The Debian package as a user gets it: built from debian/ by dpkg-buildpackage with the debug
# binaries of the tests, clean for lintian (no error), holding what deploy/install.sh installs,
# and installed, upgraded, removed and purged with dpkg in a throw-away root: an overlay of this
# machine's / in a private mount namespace, so nothing of it reaches the machine.
#
#   BIN=.build/debug bash tests/package/test_deb.sh      (root; make test runs it)
#
# Prints one line per check; exits 1 on the first that fails.
set -euo pipefail
here=$(cd "$(dirname "$0")/../.." && pwd)
BIN=$(cd "${BIN:-$here/.build/debug}" && pwd)
work=$(mktemp -d /tmp/kd-deb-XXXXXX)
trap 'rm -rf "$work"' EXIT
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || fail "needs root (dpkg in a throw-away root, unshare)"

# 1. Built by dpkg-buildpackage; build-deb.sh fails on any lintian error.
deb=$(OUT=$work/out BIN=$BIN DPKG_DEB_COMPRESSOR_TYPE=gzip DPKG_DEB_COMPRESSOR_LEVEL=1 bash "$here/deploy/build-deb.sh" 2> "$work/build.log" | tail -1) \
  || { tail -40 "$work/build.log" >&2; fail "the package did not build (or lintian found errors)"; }
ok "dpkg-buildpackage built $(basename "$deb"); $(grep 'lintian:' "$work/build.log" | sed 's/.*lintian: //')"
grep -q '^E:' "$work/out/lintian.txt" && fail "lintian errors: $(grep '^E:' "$work/out/lintian.txt")"
# Every warning lintian still reports is explained (debian/kiemdiem.lintian-overrides explains the
# overridden ones; docs/operations.md the others by tag).
while read -r tag; do
  grep -q "$tag" "$here/docs/operations.md" || fail "lintian warning '$tag' is not explained in docs/operations.md"
done < <(sed -n 's/^W: kiemdiem[^:]*: \([a-z0-9-]*\).*/\1/p' "$work/out/lintian.txt" | sort -u)
ok "lintian: no error, every warning explained"

# 2. --version is the package's version.
version=$(dpkg-deb -f "$deb" Version)
for p in kiemdiemd kiemdiemctl kiemdiem-worker; do
  [ "$("$BIN/$p" --version)" = "$version" ] || fail "$p --version is $("$BIN/$p" --version), the package is $version"
done
ok "the three programs' --version is the package's, $version"

# 3. The files are install.sh's (man pages compressed by dh_compress), plus what debhelper adds.
DESTDIR=$work/installed BIN=$BIN bash "$here/deploy/install.sh" --no-build --files-only 2>/dev/null
(cd "$work/installed" && find . -type f -o -type l | sed 's#^\.##' | sort) > "$work/installed.txt"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { print $6 }' | sed 's#^\.##; s#\.1\.gz$#.1#' | sort > "$work/packaged.txt"
extra=$(comm -13 "$work/installed.txt" "$work/packaged.txt" | grep -v -E '^/usr/share/doc/kiemdiem/(copyright|changelog\.gz|README\.Debian)$|^/usr/lib/(sysusers|tmpfiles)\.d/kiemdiem\.conf$|^/usr/share/lintian/overrides/kiemdiem$' || true)
missing=$(comm -23 "$work/installed.txt" "$work/packaged.txt" || true)
[ -z "$extra$missing" ] || fail "package and install.sh differ: only packaged: $extra; only installed: $missing"
ok "the package holds what install.sh installs ($(wc -l < "$work/installed.txt") files), and debhelper's copyright, changelog, sysusers.d and tmpfiles.d"
dpkg-deb -e "$deb" "$work/control"
for f in postinst prerm postrm; do [ -x "$work/control/$f" ] || fail "no executable $f"; done
grep -q 'systemd-sysusers' "$work/control/postinst" && grep -q 'systemd-tmpfiles' "$work/control/postinst" \
  && grep -q 'deb-systemd-helper' "$work/control/postinst" || fail "postinst lacks debhelper's sysusers, tmpfiles or systemd parts"
if grep -n -E '\b(systemctl|useradd|userdel|groupdel)\b|/root/' "$here/debian/kiemdiem.postinst" "$here/debian/kiemdiem.postrm"; then
  fail "our maintainer scripts call systemctl or manage users or touch /root themselves"
fi
[ "$(sort "$work/control/conffiles")" = "$(grep '^/etc/' "$work/installed.txt" | sort)" ] || fail "conffiles are not every file under /etc"
ok "maintainer scripts through debhelper; every /etc file a conffile"

# 4. Install, upgrade, remove, purge in a throw-away root.
mkdir -p "$work/debs"
cp "$deb" "$work/debs/kiemdiem_1.deb"
dpkg-deb -R "$deb" "$work/v2"
sed -i "s/^Version: .*/Version: ${version}+upgrade1/" "$work/v2/DEBIAN/control"
dpkg-deb -Zgzip -z1 -b "$work/v2" "$work/debs/kiemdiem_2.deb" > /dev/null
cp -r "$here/config/examples" "$work/debs/examples"
cp "$here/tests/docs/check_links.py" "$work/debs/"
cat > "$work/inside.sh" <<'INSIDE'
#!/bin/bash
# Runs chrooted in the overlay: dpkg for real, on a copy of this machine's system.
set -euo pipefail
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
sum() { sha256sum "$@" | awk '{ print $1 }' | paste -sd' '; }
mode() { stat -c '%a %U:%G' "$1"; }

# The test's package holds debug programs that load the toolchain's Swift runtime: this root gets
# it on its library path, as a machine with the runtime installed would (a release package links
# the runtime in and needs none).
if [ -n "${SWIFT_RUNTIME:-}" ]; then echo "$SWIFT_RUNTIME" > /etc/ld.so.conf.d/swift-runtime.conf; ldconfig; fi
dpkg -i /debs/kiemdiem_1.deb > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log >&2; fail "dpkg -i"; }
getent passwd kiemdiem | grep -q ':/var/lib/kiemdiem:/usr/sbin/nologin$' || fail "no kiemdiem user from sysusers.d"
[ "$(mode /var/lib/kiemdiem)" = "750 kiemdiem:kiemdiem" ] || fail "/var/lib/kiemdiem is $(mode /var/lib/kiemdiem)"
[ "$(mode /etc/kiemdiem/keys)" = "750 root:kiemdiem" ] || fail "keys/ is $(mode /etc/kiemdiem/keys)"
[ "$(mode /etc/kiemdiem/keys/server.key_secret)" = "600 kiemdiem:kiemdiem" ] || fail "server.key_secret is $(mode /etc/kiemdiem/keys/server.key_secret)"
[ "$(mode /etc/kiemdiem/keys/admin.key_secret)" = "600 root:root" ] || fail "admin.key_secret is $(mode /etc/kiemdiem/keys/admin.key_secret)"
[ "$(awk '{ print $1, $3 }' /etc/kiemdiem/keys/authorized_keys | paste -sd,)" = "worker worker-1,worker worker-2,admin admin" ] || fail "authorized_keys: $(cat /etc/kiemdiem/keys/authorized_keys)"
[ -L /etc/systemd/system/multi-user.target.wants/kiemdiem.target ] || fail "kiemdiem.target not enabled"
[ -L /etc/systemd/system/multi-user.target.wants/kiemdiemd.service ] || fail "kiemdiemd.service not enabled"
ls /etc/systemd/system/kiemdiem.target.wants/kiemdiem-worker@1.service > /dev/null || fail "worker 1 not enabled"
man -w kiemdiemctl > /dev/null 2>&1 || [ -f /usr/share/man/man1/kiemdiemctl.1.gz ] || fail "no manual page"
[ -f /usr/share/bash-completion/completions/kiemdiemctl ] || fail "no bash completion"
python3 /debs/check_links.py --root /usr/share/doc/kiemdiem > /tmp/links.txt || { cat /tmp/links.txt >&2; fail "a link in the installed docs does not resolve"; }
ok "installed: user from sysusers.d, /var/lib/kiemdiem from tmpfiles.d, keys, units enabled, man page, completion; $(tail -1 /tmp/links.txt)"

# The installed programs run on the installed configuration and keys (sockets moved off the
# machine's ports), and kiemdiemctl finds the daemon's key and the admin's from /etc/kiemdiem/ctl.yaml.
export KIEMDIEM_ENDPOINTS_CONTROL=ipc:///tmp/kd-control.sock KIEMDIEM_ENDPOINTS_EVENTS='tcp://127.0.0.1:*' \
       KIEMDIEM_ENDPOINTS_JOBS=ipc:///tmp/kd-jobs.sock KIEMDIEM_HTTP_LISTEN=127.0.0.1:0
kiemdiemd --check-config /etc/kiemdiem/kiemdiem.yaml > /dev/null || fail "kiemdiemd --check-config on the installed configuration"
setpriv --reuid kiemdiem --regid kiemdiem --init-groups kiemdiemd --config /etc/kiemdiem/kiemdiem.yaml 2> /tmp/kd.log &
pid=$!
trap 'kill -9 $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do grep -q ' ready control=' /tmp/kd.log && break; kill -0 $pid || { cat /tmp/kd.log >&2; fail "kiemdiemd died"; }; sleep 0.1; done
export KIEMDIEM_ENDPOINT=ipc:///tmp/kd-control.sock
kiemdiemctl import units /debs/examples/units.csv > /dev/null || fail "import with the admin key from ctl.yaml"
kiemdiemctl config show | grep -q '^key,/etc/kiemdiem/keys/admin.key_secret,/etc/kiemdiem/ctl.yaml$' || { kiemdiemctl config show >&2; fail "config show"; }
kill -TERM $pid; wait $pid || fail "kiemdiemd did not stop cleanly"
ok "the installed daemon runs as kiemdiem; kiemdiemctl gets in with /etc/kiemdiem/ctl.yaml"

keys=$(sum /etc/kiemdiem/keys/* /etc/kiemdiem/ctl.yaml)
db=$(sum /var/lib/kiemdiem/kiemdiem.sqlite)
echo "# edited" >> /etc/kiemdiem/kiemdiem.yaml
dpkg -i /debs/kiemdiem_2.deb > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log >&2; fail "upgrade"; }
[ "$(dpkg-query -W -f '${Version}' kiemdiem)" != "" ] && dpkg-query -W -f '${Version}' kiemdiem | grep -q 'upgrade1' || fail "not upgraded"
[ "$(sum /etc/kiemdiem/keys/* /etc/kiemdiem/ctl.yaml)" = "$keys" ] || fail "the upgrade changed the keys"
[ "$(sum /var/lib/kiemdiem/kiemdiem.sqlite)" = "$db" ] || fail "the upgrade changed the database"
tail -1 /etc/kiemdiem/kiemdiem.yaml | grep -q '^# edited$' || fail "the upgrade lost an edit of the configuration"
ok "upgraded: keys, ctl.yaml, database and an edited configuration kept"

dpkg -r kiemdiem > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log >&2; fail "remove"; }
[ ! -e /usr/bin/kiemdiemd ] || fail "remove left the program"
[ ! -e /etc/systemd/system/multi-user.target.wants/kiemdiem.target ] || fail "remove left the target enabled"
[ "$(sum /etc/kiemdiem/keys/* /etc/kiemdiem/ctl.yaml)" = "$keys" ] && [ -f /etc/kiemdiem/kiemdiem.yaml ] \
  && [ "$(sum /var/lib/kiemdiem/kiemdiem.sqlite)" = "$db" ] || fail "remove lost configuration, keys or database"
ok "removed: programs and units gone; configuration, keys and database kept"

dpkg -P kiemdiem > /tmp/dpkg.log 2>&1 || { cat /tmp/dpkg.log >&2; fail "purge"; }
[ ! -e /etc/kiemdiem ] && [ ! -e /var/lib/kiemdiem ] || fail "purge left $(ls -d /etc/kiemdiem /var/lib/kiemdiem 2>/dev/null)"
left=$(find /etc/systemd/system -name 'kiemdiem*'); [ -z "$left" ] || fail "purge left unit links: $left"
ok "purged: /etc/kiemdiem and /var/lib/kiemdiem gone (the system user stays, as Debian does)"
INSIDE
chmod +x "$work/inside.sh"
# Where the debug programs' Swift runtime is, if they load one.
runtime=$(ldd "$BIN/kiemdiemctl" | awk '/libswiftCore/ { print $3 }' | xargs -r dirname)
export SWIFT_RUNTIME=$runtime
unshare --mount --fork bash -c '
  set -e
  w=$1
  mkdir -p "$w/t" && mount -t tmpfs tmpfs "$w/t" && mkdir -p "$w/t/up" "$w/t/work" "$w/t/root"
  mount -t overlay overlay -o "lowerdir=/,upperdir=$w/t/up,workdir=$w/t/work" "$w/t/root"
  r=$w/t/root
  mount --rbind /dev "$r/dev"; mount -t proc proc "$r/proc"; mount -t tmpfs tmpfs "$r/tmp"
  mkdir -p "$r/debs" && cp -r "$w/debs/." "$r/debs/" && cp "$w/inside.sh" "$r/inside.sh"
  # No /run/systemd/system in the root: the maintainer scripts enable units but start nothing.
  mount -t tmpfs tmpfs "$r/run"
  chroot "$r" /inside.sh
' _ "$work"
