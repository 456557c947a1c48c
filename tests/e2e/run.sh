#!/bin/sh
# make check entry for the end-to-end suite (tests/e2e/run_e2e.py).
# Runs from the build directory (builds may be out of tree); $srcdir comes
# from automake's test harness. TCPFLOW overrides the binary under test.
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error.
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
exec python3 "$srcdir/tests/e2e/run_e2e.py" "$tcpflow"
