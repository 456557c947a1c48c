"""What a run tells its user (issue 23): tcpflow 1.6.1's scanner names,
reruns into the same output directory, the report's status for failed,
unreadable and truncated inputs, -l without names, progress on a terminal."""

import os
import re
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, truth

TCPFLOW_NS = "{http://tcpflow.org/dfxml/2}"
DFXML_NS = "{http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML}"


def _capture(ctx, name="cap.pcap", seed=1, n=2):
    convs = [conv(1200 + 100 * i, 2100 + 50 * i, seed=seed + i,
                  client=("10.1.0.%d" % (i + 1), 40000 + i), server=("10.2.0.1", 80))
             for i in range(n)]
    packets = finalize_all(convs)
    path = ctx.write(name, pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets)
    return path, files, mtimes


def _summary(outdir):
    """(status, {value name: value}, {counter name: value}) of report.xml."""
    root = ET.parse(os.path.join(outdir, "report.xml")).getroot()
    summary = root.find(TCPFLOW_NS + "summary")
    values = {v.get("name"): v.get("value") for v in summary.findall(TCPFLOW_NS + "value")}
    counters = {c.get("name"): int(c.get("value")) for c in summary.findall(TCPFLOW_NS + "counter")}
    return summary.get("status"), values, counters


def _hashdigests(outdir):
    root = ET.parse(os.path.join(outdir, "report.xml")).getroot()
    return root.findall(".//" + DFXML_NS + "hashdigest")


def _stderr(run):
    return run.stderr_text.decode("utf-8", "replace")


# -- tcpflow 1.6.1 scanner names ----------------------------------------------------
@scenario("compat161-scanner-names-warn")
def _(ctx):
    path, files, mtimes = _capture(ctx)
    run = Run(["-r", path, "-o", "out", "-e", "wifiviz", "-e", "md5", "-x", "wifiviz",
               "-x", "tcpdemux", "-e", "tcpdemux"], exit=0,
              stderr=[["-e wifiviz"], ["-x wifiviz"], ["-x tcpdemux"]])
    case = Case([run], files, mtimes, note="1.6.1 names: warnings, flows and md5 as usual")

    def check(outdir):
        problems = []
        lines = [l for l in _stderr(run).splitlines() if "wifiviz" in l or "tcpdemux" in l]
        if len(lines) != 3:
            problems.append("expected one line per 1.6.1 name, got %r" % lines)
        if len(_hashdigests(outdir)) != len(files):
            problems.append("md5 did not run on every flow: %d digests for %d files"
                            % (len(_hashdigests(outdir)), len(files)))
        return problems
    case.check = check
    return case


@scenario("compat161-netviz-never-fatal")
def _(ctx):
    # netviz may or may not be a scanner of this build; either way the run goes on.
    path, files, mtimes = _capture(ctx, seed=5)
    return Case([Run(["-r", path, "-o", "out", "-e", "netviz"], exit=0),
                 Run(["-r", path, "-o", "out", "-x", "netviz"], exit=0)],
                some_files=files, mtimes=mtimes)


@scenario("compat161-E-tcpdemux-runs-no-scanner")
def _(ctx):
    path, files, mtimes = _capture(ctx, seed=7)
    run = Run(["-r", path, "-o", "out", "-e", "md5", "-E", "tcpdemux"], exit=0)
    case = Case([run], files, mtimes)

    def check(outdir):
        problems = []
        if _hashdigests(outdir):
            problems.append("-E tcpdemux: md5 still ran")
        if _stderr(run).strip():
            problems.append("-E tcpdemux: unexpected stderr %r" % _stderr(run)[:200])
        return problems
    case.check = check
    return case


@scenario("compat161-q-hides-disable-notes-only")
def _(ctx):
    path, files, mtimes = _capture(ctx, seed=9)
    quiet_x = Run(["-r", path, "-o", "out", "-q", "-x", "wifiviz", "-x", "tcpdemux"], exit=0)
    quiet_e = Run(["-r", path, "-o", "out", "-q", "-e", "wifiviz"], exit=0,
                  stderr=[["wifiviz"]])
    case = Case([quiet_x, quiet_e], files, mtimes)
    case.check = lambda outdir: (["-q -x: stderr not empty: %r" % _stderr(quiet_x)[:200]]
                                 if _stderr(quiet_x).strip() else [])
    return case


@scenario("compat161-unknown-scanner-still-usage-error")
def _(ctx):
    path, _, _ = _capture(ctx, seed=11)
    return Case([Run(["-r", path, "-o", "out", "-x", "nosuchscanner"], exit=2,
                     stderr=[["nosuchscanner"]])], outdir=None, report=False)


@scenario("cli-l-without-files-is-usage-error")
def _(ctx):
    return Case([Run(["-l", "-o", "out"], exit=2, stderr=[["-l"]])], outdir=None, report=False)
