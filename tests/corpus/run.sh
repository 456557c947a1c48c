#!/bin/sh
# make check entry for the real-capture corpus run (tests/corpus/run_corpus.py).
# Skips (77) when the corpus folder is absent. TCPFLOW overrides the binary,
# TCPFLOW_CORPUS the corpus folder, TCPFLOW_CORPUS_MODES the modes
# (default plain), TCPFLOW_WRAPPER a command prefix (valgrind, ...).
# TCPFLOW_CORPUS_SKIP=1 skips it (.ci/run runs the corpus as its own step).
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
tcpflow=${TCPFLOW:-./tcpflow}
if [ "${TCPFLOW_CORPUS_SKIP:-0}" = 1 ]; then
  echo "SKIP: TCPFLOW_CORPUS_SKIP=1 (the corpus runs as a separate step)"
  exit 77
fi
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
exec python3 "$srcdir/tests/corpus/run_corpus.py" "$tcpflow"
