# Live capture test (tests/live/live_test.py): tcpflow -i lo on real TCP
# connections (IPv4 and IPv6), SIGHUP, SIGTERM, -c, a nonexistent interface.
# Runs as root only (skipped otherwise); about 10 s. no_terminal_test.py
# checks that its terminal part skips cleanly where no pty can be opened.
TESTS += tests/live/run_live.sh tests/live/run_no_terminal.sh
EXTRA_DIST += tests/live/run_live.sh tests/live/live_test.py \
	tests/live/run_no_terminal.sh tests/live/no_terminal_test.py
# Live capture notices (issue 23): the listening line, pcap_stats on stderr
# and in the report, the progress line on a terminal. Root only; about 8 s.
TESTS += tests/live/run_live_notices.sh
EXTRA_DIST += tests/live/run_live_notices.sh tests/live/live_notices_test.py
# Process attribution (issue 14): --processes, the connection log and its
# SIGHUP reopen, --snoop and a user rule on loopback. Root only; about 5 s.
TESTS += tests/live/run_attrib_live.sh
EXTRA_DIST += tests/live/run_attrib_live.sh tests/live/attrib_live_test.py
# 2,000 connections in 10 s under --processes (run by .ci/run's resource step).
EXTRA_DIST += tests/live/attrib_load_test.py
