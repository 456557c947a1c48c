#!/bin/sh
# make check entry for the live process attribution test
# (tests/live/attrib_live_test.py): tcpflow -i lo --processes with a server
# and clients as separate processes, one as nobody. Needs root and setpriv:
# skipped (exit 77) otherwise. TCPFLOW overrides the binary under test.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 not found"
  exit 77
fi
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the live attribution test needs root (uid $(id -u))"
  exit 77
fi
if [ ! -x "$tcpflow" ]; then
  echo "ERROR: no tcpflow binary at '$tcpflow' (set TCPFLOW or build first)" >&2
  exit 99
fi
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
exec timeout 120 python3 "$srcdir/tests/live/attrib_live_test.py" "$tcpflow"
