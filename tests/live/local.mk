# Live capture test (tests/live/live_test.py): tcpflow -i lo on real TCP
# connections (IPv4 and IPv6), SIGHUP, SIGTERM, -c, a nonexistent interface.
# Runs as root only (skipped otherwise); about 10 s.
TESTS += tests/live/run_live.sh
EXTRA_DIST += tests/live/run_live.sh tests/live/live_test.py
