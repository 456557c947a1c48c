#!/bin/sh
# make check entry for tests/live/no_terminal_test.py: the live test's
# terminal part skips (with a line saying why) instead of crashing where no
# pseudo-terminal can be opened. Needs neither root nor a terminal.
. "$(dirname "$0")/../python_test.sh"
run_python_test --no-binary --timeout 60 tests/live/no_terminal_test.py
