#!/bin/sh
# make check entry for the live capture notices test (tests/live/live_notices_test.py):
# the listening line, pcap_stats on stderr and in the report, the progress
# line on a terminal (tcpflow -i lo). Needs root.
. "$(dirname "$0")/../python_test.sh"
run_python_test --root --timeout 120 tests/live/live_notices_test.py "$tcpflow" "$srcdir"
