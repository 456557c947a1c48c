#!/usr/bin/env python3
"""Checks that the live test's terminal part steps aside where no
pseudo-terminal can be opened (a minimal container or chroot without
/dev/pts), instead of crashing the whole live test with
``OSError: out of pty devices``.

pty.openpty is replaced by one that raises that error; test_color_tty must
then log one line saying it skips and why, record no failure, start no
process (the binary given does not exist) and return, so main() goes on
with the other parts. Needs neither root nor a terminal. Exit 0 when all is
well, 1 otherwise.
"""

import contextlib
import io
import os
import pty
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True

import live_test  # noqa: E402


def no_pty():
    raise OSError("out of pty devices")


def main():
    problems = []
    real_openpty = pty.openpty
    top = tempfile.mkdtemp(prefix="tcpflow-nopty-")
    try:
        pty.openpty = no_pty
        t = live_test.Test()
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                ran = live_test.test_color_tty(t, os.path.join(top, "no-such-binary"), top)
        except Exception as e:  # the crash this test guards against
            problems.append("test_color_tty raised %s: %s" % (e.__class__.__name__, e))
            ran = None
        text = out.getvalue()
        if ran is not False:
            problems.append("test_color_tty returned %r, expected False (skipped)" % (ran,))
        if t.failures:
            problems.append("failures recorded: %s" % t.failures)
        skip_lines = [l for l in text.splitlines() if l.startswith("SKIP")]
        if len(skip_lines) != 1 or "out of pty devices" not in skip_lines[0] \
                or "terminal" not in skip_lines[0]:
            problems.append("expected one SKIP line naming the terminal and the reason, got %r"
                            % text)
        if os.listdir(top):
            problems.append("the skipped part left files: %s" % os.listdir(top))
    finally:
        pty.openpty = real_openpty
        shutil.rmtree(top, ignore_errors=True)

    # Where a terminal can be opened, the helper hands it over.
    try:
        master, slave = real_openpty()
        os.close(master)
        os.close(slave)
        have_pty = True
    except OSError:
        have_pty = False
    if have_pty:
        pair, why = live_test.open_terminal()
        if pair is None:
            problems.append("open_terminal failed where openpty works: %s" % why)
        else:
            os.close(pair[0])
            os.close(pair[1])

    for p in problems:
        print("FAIL: " + p)
    print("%d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
