#!/bin/sh
# make check entry for the live capture notices test (tests/live/live_notices_test.py):
# the listening line, pcap_stats on stderr and in the report, the progress
# line on a terminal (tcpflow -i lo). Needs root: skipped (exit 77)
# otherwise, or when a raw socket on lo cannot be opened.
# Runs from the build directory; $srcdir comes from automake's test harness.
# TCPFLOW overrides the binary under test.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 not found"
  exit 77
fi
if [ "$(id -u)" != 0 ]; then
  echo "SKIP: the live capture test needs root (uid $(id -u))"
  exit 77
fi
if [ ! -x "$tcpflow" ]; then
  echo "ERROR: no tcpflow binary at '$tcpflow' (set TCPFLOW or build first)" >&2
  exit 99
fi
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
exec timeout 120 python3 "$srcdir/tests/live/live_notices_test.py" "$tcpflow" "$srcdir"
