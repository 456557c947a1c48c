#!/bin/sh
# make check entry for the resource-limit and fault tests (tests/limits/run_limits.py).
# TCPFLOW overrides the binary; TCPFLOW_LIMITS_BIG=1 runs the 1,000,000-flow
# SYN flood (.ci/run does) instead of 100,000.
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
export PYTHONDONTWRITEBYTECODE srcdir
exec python3 "$srcdir/tests/limits/run_limits.py" "$tcpflow"
