#!/bin/sh
# make check entry for the recording proxy's end-to-end tests
# (tests/proxy/proxy_test.py): tcpflow --proxy in front of a real server on
# 127.0.0.1 and ::1. About a minute. TCPFLOW overrides the binary under test.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 not found"
  exit 77
fi
if [ ! -x "$tcpflow" ]; then
  echo "ERROR: no tcpflow binary at '$tcpflow' (set TCPFLOW or build first)" >&2
  exit 99
fi
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
exec timeout 170 python3 "$srcdir/tests/proxy/proxy_test.py" "$tcpflow"
