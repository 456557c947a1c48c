#!/bin/sh
# make check entry for the resource-limit and fault tests (tests/limits/run_limits.py).
# TCPFLOW_LIMITS_BIG=1 runs the 1,000,000-flow SYN flood (.ci/run does)
# instead of 100,000.
. "$(dirname "$0")/../python_test.sh"
run_python_test tests/limits/run_limits.py "$tcpflow"
