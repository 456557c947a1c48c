#!/bin/sh
# Runs the unit tests of python/tcpflow_report.py. Exit 77 (automake's
# "skipped") when python3 is not installed. No bytecode is written, so an
# out-of-tree build leaves the source tree untouched.
PYTHON=${PYTHON3:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1; then
  echo "python3 not found: skipping the report reader tests"
  exit 77
fi
cd "$(dirname "$0")" || exit 1
PYTHONDONTWRITEBYTECODE=1 exec "$PYTHON" -m unittest discover -s tests -v
