"""The python scanner (-e python), -S tcp_cmd and -S tcp_alert_fd end to end.

Decisions checked here (doc/tcpflow.1, src/report/FORMAT.md):
* python: FUNCTION(path) per flow file; a str result is the text of
  <tcpflow:python> and "python" in flows.jsonl; an exception gives
  <tcpflow:python error="Type: message"/>, one stderr line naming the file,
  the python_errors counter, and exit status 0. A module that cannot be
  imported or has no such function: exit 1 before anything is written;
  -e python without py_module/py_function: exit 2. No __pycache__ is written
  next to the plugin. py_* settings without -e python: a warning.
* tcp_cmd: CMD's words + the flow file's path, with TCPFLOW_* variables; at
  most tcp_cmd_jobs at once; a failing command is reported (stderr, the
  tcp_cmd_failures counter) and the exit status stays 0. No file, no command.
* tcp_alert_fd: "open\tPATH" when a flow file is opened, "close\tPATH\tBYTES"
  when it is closed; an fd that is not open for writing: exit 1 at start-up.
"""

import json
import os
import shutil
import sys
import xml.etree.ElementTree as ET

from e2e_lib import Case, Run, conv, cv, finalize_all, pg, scenario, text_stream, truth

HERE = os.path.dirname(os.path.abspath(__file__))
PLUGINS = os.path.join(HERE, "..", "..", "python", "plugins")


def _capture(ctx, nconv=2, name="cap.pcap"):
    convs = []
    for i in range(nconv):
        c = cv.Conversation(client=("10.0.0.1", 40000 + i), server=("10.0.0.2", 80),
                            client_data=text_stream(300 + 50 * i, "req%d" % i),
                            server_data=bytes(range(256)) * (3 + i), mss=500)
        convs.append(c)
    packets = finalize_all(convs)
    path = ctx.write(name, pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
    files, mtimes = truth(packets)
    return convs, packets, path, files, mtimes


def _local(tag):
    return tag.split("}")[-1]


def _report(outdir):
    """({filename: fileobject element}, {counter name: value}) of report.xml."""
    root = ET.parse(os.path.join(outdir, "report.xml")).getroot()
    objs, counters = {}, {}
    for el in root.iter():
        if _local(el.tag) == "fileobject":
            name = next((c.text for c in el if _local(c.tag) == "filename"), None)
            objs[name] = el
        elif _local(el.tag) == "counter":
            counters[el.get("name")] = int(el.get("value"))
    return objs, counters


def _python_child(fileobject):
    found = [c for c in fileobject if _local(c.tag) == "python"]
    return found[0] if len(found) == 1 else None


def _copy_plugin(ctx, name, text=None):
    """A plugin directory inside the checked tree (so a __pycache__ written
    next to the plugin fails the scenario)."""
    d = os.path.join(ctx.indir, "plugins")
    os.makedirs(d, exist_ok=True)
    if text is None:
        shutil.copy(os.path.join(PLUGINS, name + ".py"), d)
    else:
        with open(os.path.join(d, name + ".py"), "w") as f:
            f.write(text)
    return d


def _flow_summary_module():
    sys.path.insert(0, PLUGINS)
    try:
        import flow_summary
    finally:
        sys.path.pop(0)
    return flow_summary


# -- python ---------------------------------------------------------------------------
@scenario("py-flow-summary-in-report-and-jsonl")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    plugins = _copy_plugin(ctx, "flow_summary")
    summarize = _flow_summary_module().summarize_bytes
    os.makedirs(os.path.join(ctx.rundir, "out"))

    def check(outdir):
        probs = []
        objs, counters = _report(outdir)
        lines = [json.loads(ln) for ln in open(os.path.join(outdir, "flows.jsonl"))]
        jsonl = {d["filename"]: d for d in lines}
        for name, data in sorted(files.items()):
            want = summarize(data[:1 << 20], len(data))
            assert want.startswith("bytes=%d " % len(data))
            child = _python_child(objs[name]) if name in objs else None
            got = child.text if child is not None else None
            if got != want:
                probs.append("%s: <tcpflow:python> %r, expected %r" % (name, got, want))
            if jsonl.get(name, {}).get("python") != want:
                probs.append("%s: jsonl python %r" % (name, jsonl.get(name, {}).get("python")))
        if counters.get("python_errors") != 0:
            probs.append("python_errors %s" % counters.get("python_errors"))
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-e", "python", "-S", "py_path=" + plugins,
                      "-S", "py_module=flow_summary", "-S", "py_function=summary",
                      "-S", "jsonl=out/flows.jsonl"])], None, mtimes, some_files=files)
    case.check = check
    return case


RAISING = '''
def scan(path):
    if "00080-" in path:
        raise ValueError("no server flows\\nplease")
    if path.endswith("40001"):
        return None
    return b"\\xffclient"
'''


@scenario("py-plugin-raises-run-goes-on")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    plugins = _copy_plugin(ctx, "raising", RAISING)

    def check(outdir):
        probs = []
        objs, counters = _report(outdir)
        for name in sorted(files):
            child = _python_child(objs[name]) if name in objs else None
            if "00080-" in name:
                if child is None or child.get("error") != "ValueError: no server flows please":
                    probs.append("%s: error child %r" % (name, child is not None and child.attrib))
            elif name.endswith("40001"):
                if any(_local(c.tag) == "python" for c in objs[name]):
                    probs.append("%s: None should add no child" % name)
            elif child is None or child.text != "\ufffdclient" or child.get("error"):
                probs.append("%s: child %r" % (name, child is not None and child.text))
        if counters.get("python_errors") != 2:
            probs.append("python_errors %s, expected 2" % counters.get("python_errors"))
        err = case.runs[0].stderr_text.decode()
        bad = [ln for ln in err.splitlines() if "ValueError" in ln]
        if len(bad) != 2 or not all("00080-" in ln for ln in bad):
            probs.append("stderr: %r" % err)
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-e", "python", "-S", "py_path=" + plugins,
                      "-S", "py_module=raising", "-S", "py_function=scan"], exit=0)],
                files, mtimes)
    case.check = check
    return case


@scenario("py-setup-errors-exit-before-output")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    plugins = _copy_plugin(ctx, "flow_summary")
    broken = _copy_plugin(ctx, "broken", "def f(:\n")
    base = ["-r", path, "-o", "out", "-e", "python"]
    return Case([
        Run(base + ["-S", "py_path=" + plugins, "-S", "py_module=no_such_plugin",
                    "-S", "py_function=summary"], exit=1,
            stderr=[["no_such_plugin"], ["import"]]),
        Run(base + ["-S", "py_path=" + plugins, "-S", "py_module=flow_summary",
                    "-S", "py_function=no_such_function"], exit=1,
            stderr=[["no_such_function"]]),
        Run(base + ["-S", "py_path=" + broken, "-S", "py_module=broken",
                    "-S", "py_function=f"], exit=1, stderr=[["SyntaxError"]]),
        Run(base + ["-S", "py_path=" + plugins, "-S", "py_module=flow_summary"], exit=2,
            stderr=[["py_function"]]),
    ], outdir=None, report=False)


@scenario("py-settings-without-scanner-warn")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    case = Case([Run(["-r", path, "-o", "out", "-S", "py_module=flow_summary"],
                     stderr=[["py_module has no effect"]]),
                 Run(["-r", path, "-o", "out", "-a", "-x", "netviz"])], files, mtimes,
                note="-a alone does not enable python (no py_module); "
                     "netviz's page (scenarios_netviz.py) is left out to keep the file set exact")
    return case


# -- tcp_cmd --------------------------------------------------------------------------
# Run as `sh RECORD LOGDIR FLOWFILE`: start and end times, argc, argv, how many
# of tcpflow's report/flow-file descriptors leaked into it, TCPFLOW_*.
RECORD = """s=$(date +%s.%N)
sleep 0.3
log="$1/$TCPFLOW_SRC_PORT-$TCPFLOW_DST_PORT"
shift
leaked=$(ls -l /proc/$$/fd | grep -c -e 'report\\.xml' -e '/out/[0-9]')
{ printf '%s\\n' "$s" "$(date +%s.%N)" "$#" "$1" "$leaked"; env | grep '^TCPFLOW_' | sort; } > "$log"
"""


@scenario("tcp-cmd-env-and-job-bound")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx, nconv=4)
    logdir = os.path.join(ctx.rundir, "out", "log")
    os.makedirs(logdir)

    def expected_env(c, d):
        name = c.name(d)
        pk = [p for p in packets if p.conv is c and p.dir == d]
        first, last = min(p.ts_ns for p in pk), max(p.last_ts for p in pk)
        src, dst = c.ends[d], c.ends[1 - d]
        return {
            "TCPFLOW_FILE": "out/" + name, "TCPFLOW_SRC": src[0], "TCPFLOW_DST": dst[0],
            "TCPFLOW_SRC_PORT": str(src[1]), "TCPFLOW_DST_PORT": str(dst[1]),
            "TCPFLOW_VLAN": "", "TCPFLOW_BYTES": str(len(files[name])),
            "TCPFLOW_PACKETS": str(len(pk)), "TCPFLOW_CONNECTION_ID": str(convs.index(c) + 1),
            "TCPFLOW_DIRECTION": "client" if d == 0 else "server",
            "TCPFLOW_CLOSE_REASON": "fin",
            "TCPFLOW_FIRST_TS": "%d.%06d" % (first // 10**9, first % 10**9 // 1000),
            "TCPFLOW_LAST_TS": "%d.%06d" % (last // 10**9, last % 10**9 // 1000),
        }

    def check(outdir):
        probs, spans = [], []
        for c in convs:
            for d in (0, 1):
                src, dst = c.ends[d], c.ends[1 - d]
                log = os.path.join(logdir, "%d-%d" % (src[1], dst[1]))
                if not os.path.exists(log):
                    probs.append("no command ran for %s" % c.name(d))
                    continue
                lines = open(log).read().splitlines()
                start, end, argc, arg, leaked = lines[:5]
                spans.append((float(start), float(end)))
                env = dict(ln.split("=", 1) for ln in lines[5:])
                if leaked != "0":
                    probs.append("%s: the command inherited %s of tcpflow's report/flow "
                                 "descriptors" % (c.name(d), leaked))
                want = expected_env(c, d)
                if argc != "1" or arg != want["TCPFLOW_FILE"]:
                    probs.append("%s: argv %s %r" % (c.name(d), argc, arg))
                for k, v in want.items():
                    if env.get(k) != v:
                        probs.append("%s: %s=%r, expected %r" % (c.name(d), k, env.get(k), v))
        peak = max(sum(1 for s, e in spans if s <= t < e) for t, _ in spans) if spans else 0
        if peak != 2:
            probs.append("at most %d commands overlapped, expected exactly 2 (tcp_cmd_jobs=2)"
                         % peak)
        objs, counters = _report(outdir)
        if counters.get("tcp_cmd_runs") != 8 or counters.get("tcp_cmd_failures") != 0:
            probs.append("counters %r" % {k: counters.get(k)
                                         for k in ("tcp_cmd_runs", "tcp_cmd_failures")})
        return probs
    cmd = "sh '%s' '%s'" % (ctx.write("record.sh", RECORD.encode()), logdir)
    case = Case([Run(["-r", path, "-o", "out", "-S", "tcp_cmd=" + cmd,
                      "-S", "tcp_cmd_jobs=2"])], None, mtimes, some_files=files)
    case.check = check
    return case


@scenario("tcp-cmd-failures-reported-not-fatal")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    servers = sorted(n for n in files if "00080-" in n)

    def check(outdir):
        probs = []
        err = case.runs[0].stderr_text.decode()
        for name in servers:
            if not any(name in ln and "status 3" in ln and "tcp_cmd" in ln
                       for ln in err.splitlines()):
                probs.append("stderr does not report %s: %r" % (name, err))
        objs, counters = _report(os.path.join(outdir, "out"))
        if counters.get("tcp_cmd_failures") != len(servers):
            probs.append("tcp_cmd_failures %s" % counters.get("tcp_cmd_failures"))
        err2 = case.runs[1].stderr_text.decode()
        if sum("could not start" in ln for ln in err2.splitlines()) != len(files):
            probs.append("missing program: %r" % err2)
        return probs
    case = Case([Run(["-r", path, "-o", "out", "-S",
                      "tcp_cmd=sh -c 'case \"$1\" in *00080-*) exit 3;; esac' x"], exit=0),
                 Run(["-r", path, "-o", "out2", "-S", "tcp_cmd=/nonexistent/tcpflow-cmd"],
                     exit=0)],
                None, {}, outdir=".", report=False,
                some_files={d + "/" + k: v for k, v in files.items() for d in ("out", "out2")})
    case.check = check
    return case


@scenario("tcp-cmd-no-file-no-command")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    marker = os.path.join(ctx.rundir, "out", "ran")
    cmd = "sh -c 'echo \"$1\" >> %s' x" % marker
    os.makedirs(os.path.join(ctx.rundir, "out"))

    def check(outdir):
        return ["a command ran without a flow file"] if os.path.exists(marker) else []
    case = Case([Run(["-r", path, "-o", "out", "-FX", "-S", "tcp_cmd=" + cmd]),
                 Run(["-r", path, "-c", "-S", "tcp_cmd=" + cmd])], {}, {})
    case.check = check
    return case


# -- tcp_alert_fd ---------------------------------------------------------------------
@scenario("tcp-alert-fd-open-close-lines")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx, nconv=3)

    def check_stdout(out):
        lines = out.decode().splitlines()
        probs = []
        want = set()
        for name, data in files.items():
            want |= {"open\tout/" + name, "close\tout/%s\t%d" % (name, len(data))}
            o, c = ("open\tout/" + name), ("close\tout/%s\t%d" % (name, len(data)))
            if o in lines and c in lines and lines.index(o) > lines.index(c):
                probs.append("%s: close before open" % name)
        if sorted(lines) != sorted(want):
            probs.append("alert lines %r, expected %r" % (lines, sorted(want)))
        return probs
    run = Run(["-r", path, "-o", "out", "-S", "tcp_alert_fd=1"])
    run.check_stdout = check_stdout
    return Case([run], files, mtimes)


@scenario("tcp-alert-fd-bad-fd-exit-1")
def _(ctx):
    convs, packets, path, files, mtimes = _capture(ctx)
    return Case([Run(["-r", path, "-o", "out", "-S", "tcp_alert_fd=9"], exit=1,
                     stderr=[["tcp_alert_fd"], ["not open"]]),
                 Run(["-r", path, "-o", "out", "-S", "tcp_alert_fd=0"], stdin=path, exit=1,
                     stderr=[["not open for writing"]])],
                outdir=None, report=False)
