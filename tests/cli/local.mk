# Command-line checks: the man page covers every option and setting the binary
# lists, and the exit codes of -V and of usage errors; libpython and cairo
# are loaded only by the runs that use them.
TESTS += tests/cli/check_manpage.sh tests/cli/check_lazy_libraries.sh
EXTRA_DIST += tests/cli/check_manpage.sh tests/cli/check_lazy_libraries.sh
dist_man_MANS += doc/tcpflow.1
