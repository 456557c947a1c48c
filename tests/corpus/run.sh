#!/bin/sh
# make check entry for the real-capture corpus run (tests/corpus/run_corpus.py).
# Skips (77) when the corpus folder is absent. TCPFLOW_CORPUS overrides the
# corpus folder, TCPFLOW_CORPUS_MODES the modes (default plain),
# TCPFLOW_WRAPPER a command prefix (valgrind, ...). TCPFLOW_CORPUS_SKIP=1
# skips it (.ci/run runs the corpus as its own step).
. "$(dirname "$0")/../python_test.sh"
if [ "${TCPFLOW_CORPUS_SKIP:-0}" = 1 ]; then
  echo "SKIP: TCPFLOW_CORPUS_SKIP=1 (the corpus runs as a separate step)"
  exit 77
fi
run_python_test tests/corpus/run_corpus.py "$tcpflow"
