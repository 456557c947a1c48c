"""The committed testdata/ captures: up to date, and tcpflow gets them right."""

import os

from e2e_lib import HERE, Case, Run, scenario

import make_testdata

TESTDATA = os.path.normpath(os.path.join(HERE, "..", "..", "testdata"))


def _make(name, data, files, mtimes):
    def fn(ctx):
        path = os.path.join(TESTDATA, name)
        with open(path, "rb") as f:
            if f.read() != data:
                raise AssertionError("%s is stale: run tests/gen/make_testdata.py" % path)
        return Case([Run(["-r", path, "-o", "out"])], files, mtimes)
    return fn


for _name, _data, _files, _mtimes, _text in make_testdata.build_all():
    scenario("testdata-" + _name)(_make(_name, _data, _files, _mtimes))


@scenario("gen-selftest")
def _(ctx):
    """The generator itself: parse its captures back independently (no binary run)."""
    import selftest
    selftest.main(quiet=True)
    return Case([], outdir=None, report=False)
