#!/usr/bin/env bash
# Installs what building and testing kiemdiem needs on Debian, only when missing.
set -euo pipefail
sudo_() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
pkg-config --exists libzmq 2>/dev/null || missing+=(libzmq3-dev)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v python3 >/dev/null || missing+=(python3 python3-pip)
# systemd-analyze (make test checks the units with it), dpkg-deb (the package), useradd (install.sh).
command -v systemd-analyze >/dev/null || missing+=(systemd)
command -v dpkg-deb >/dev/null || missing+=(dpkg)
# The Debian package, built as Debian builds them (debian/), and lintian, which make test runs on it.
command -v dh >/dev/null || missing+=(debhelper)
command -v dpkg-buildpackage >/dev/null || missing+=(dpkg-dev)
command -v lintian >/dev/null || missing+=(lintian)
command -v patchelf >/dev/null || missing+=(patchelf)
pkg-config --exists sqlite3 2>/dev/null || missing+=(libsqlite3-dev)
command -v useradd >/dev/null || missing+=(passwd)
# libcurl's link library: a release with the Swift runtime linked in (--static-swift-stdlib, for
# install.sh and the .deb) links FoundationNetworking, which the worker's webhook channel uses.
pkg-config --exists libcurl 2>/dev/null || missing+=(libcurl4-openssl-dev)
# The page's browser tests: Debian's Chromium and its WebDriver (a browser download fails offline).
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
# openssl: the STARTTLS test's server makes its self-signed certificate with it.
command -v openssl >/dev/null || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo_ apt-get update -qq
  sudo_ env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH (Swift 6.x toolchain required)" >&2; exit 1; }
# pyzmq: the independent client the tests and docs/subscriber.py use; aiosmtpd: the tests' SMTP
# server; selenium: drives the system's Chromium in the page's tests (tests/browser).
for mod in zmq:pyzmq aiosmtpd:aiosmtpd selenium:selenium; do
  if ! python3 -c "import ${mod%%:*}" 2>/dev/null; then
    echo "installing: ${mod##*:}" >&2
    python3 -m pip install -q "${mod##*:}" 2>/dev/null || python3 -m pip install -q --break-system-packages "${mod##*:}"
  fi
done
