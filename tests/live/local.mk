# Live capture test (tests/live/live_test.py): tcpflow -i lo on real TCP
# connections (IPv4 and IPv6), SIGHUP, SIGTERM, -c, a nonexistent interface.
# Runs as root only (skipped otherwise); about 10 s. no_terminal_test.py
# checks that its terminal part skips cleanly where no pty can be opened.
TESTS += tests/live/run_live.sh tests/live/run_no_terminal.sh
EXTRA_DIST += tests/live/run_live.sh tests/live/live_test.py \
	tests/live/run_no_terminal.sh tests/live/no_terminal_test.py
