# Recording proxy (issue 15): tcpflow --proxy against a real local server on
# 127.0.0.1 and ::1 (payloads, half-close, resets, 500 connections, a slow
# reader, refused clients, a dead destination, SIGTERM). About a minute.
TESTS += tests/proxy/run.sh
EXTRA_DIST += tests/proxy/run.sh tests/proxy/proxy_test.py tests/proxy/proxy_lib.py
