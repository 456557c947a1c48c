#!/bin/sh
# make check entry for --shard K/N, --merge-reports and --merge-inputs
# (tests/shard/run_shard.py): plain-file e2e scenarios split into 1, 2, 3
# and 7 shards and merged, --merge-inputs, -w, the console and bad input.
# The 100,000-connection capture with port reuse (about 5 minutes and
# gigabytes of scratch) runs in .ci/run's resource step instead, unless
# TCPFLOW_SHARD_ARGS says otherwise. Exit codes as automake's.
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
exec python3 "$srcdir/tests/shard/run_shard.py" "$tcpflow" ${TCPFLOW_SHARD_ARGS---big-connections 0}
