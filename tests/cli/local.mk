# Command-line checks: the man page covers every option and setting the binary
# lists, and the exit codes of -V and of usage errors.
TESTS += tests/cli/check_manpage.sh
EXTRA_DIST += tests/cli/check_manpage.sh
dist_man_MANS += doc/tcpflow.1
