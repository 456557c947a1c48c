#!/bin/sh
# make check entry for the live capture test (tests/live/live_test.py):
# tcpflow -i lo on real TCP connections over 127.0.0.1 and ::1, SIGHUP,
# SIGTERM, -c, and a nonexistent interface. Needs root (the script also
# skips when a raw socket on lo cannot be opened).
. "$(dirname "$0")/../python_test.sh"
run_python_test --root --timeout 120 tests/live/live_test.py "$tcpflow" "$srcdir"
