#!/bin/sh
# make check entry for the tunnelled captures of the corpus (tunnel_corpus.py).
# Skips (77) when the corpus folder or python3 is absent.
here=$(dirname "$0")
srcdir=${srcdir:-$here/../..}
if ! command -v python3 >/dev/null 2>&1; then
  echo "SKIP: python3 not found"
  exit 77
fi
PYTHONDONTWRITEBYTECODE=1
export PYTHONDONTWRITEBYTECODE
exec python3 "$srcdir/tests/corpus/tunnel_corpus.py" "${TCPFLOW:-./tcpflow}"
