#!/bin/sh
# make check entry for --compress gzip|zstd|bzip2 (tests/compress/run_compress.py):
# every plain-file e2e scenario rerun with each codec, the decompressed
# files compared byte for byte with the plain run's. Exit codes as automake's.
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
exec python3 "$srcdir/tests/compress/run_compress.py" "$tcpflow"
