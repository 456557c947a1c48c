#!/bin/sh
# make check entry for the recording proxy's end-to-end tests
# (tests/proxy/proxy_test.py): tcpflow --proxy in front of a real server on
# 127.0.0.1 and ::1. About a minute.
. "$(dirname "$0")/../python_test.sh"
run_python_test --timeout 170 tests/proxy/proxy_test.py "$tcpflow"
