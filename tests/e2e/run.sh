#!/bin/sh
# make check entry for the end-to-end suite (tests/e2e/run_e2e.py).
. "$(dirname "$0")/../python_test.sh"
run_python_test tests/e2e/run_e2e.py "$tcpflow"
