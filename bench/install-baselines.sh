#!/usr/bin/env bash
# What `make bench` compares against, installed for the bench only (never for `make test`):
# redis-server from Debian, Celery and its Redis client from PyPI.
set -euo pipefail
if ! command -v redis-server >/dev/null; then
  echo "bench: installing redis-server" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
if ! python3 -c 'import celery, redis' 2>/dev/null; then
  echo "bench: installing celery and redis (pip)" >&2
  pip install -q --break-system-packages 'celery>=5.3,<6' 'redis>=4.5' >/dev/null
fi
