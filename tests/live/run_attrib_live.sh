#!/bin/sh
# make check entry for the live process attribution test
# (tests/live/attrib_live_test.py): tcpflow -i lo --processes with a server
# and clients as separate processes, one as nobody. Needs root and setpriv.
. "$(dirname "$0")/../python_test.sh"
run_python_test --root --timeout 120 tests/live/attrib_live_test.py "$tcpflow"
