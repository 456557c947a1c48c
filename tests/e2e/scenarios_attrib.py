"""Connection log, rules and their options (issue 14) on generated captures.

On a capture file the connection log has one record per connection, seen from
its client (the end that sent the SYN), with null process fields; the rules
take the client as the "local" end. Expected lines are computed from the
generated packets, never from tcpflow's output.
"""

import datetime
import json
import os

from e2e_lib import Case, Run, cv, finalize_all, pg, scenario, stream, truth

# (client, server, close, client bytes, server bytes)
ENDS = [
    (("10.4.0.1", 41001), ("10.4.9.2", 80), "fin", 700, 1500),
    (("10.4.0.1", 41002), ("10.5.0.3", 22), "rst", 300, 0),
    (("10.4.2.7", 50000), ("10.4.9.2", 8080), "none", 0, 900),
    (("2001:db8::1", 41003), ("2001:db8:1::2", 443), "fin", 1200, 2400),
]


def _convs():
    out = []
    for i, (client, server, close, n_c, n_s) in enumerate(ENDS):
        out.append(cv.Conversation(client=client, server=server, close=close, mss=500,
                                   client_data=stream(n_c, 40 + i),
                                   server_data=stream(n_s, 60 + i)))
    return out


def _capture(ctx, convs, name="attrib.pcap"):
    packets = finalize_all(convs)
    path = ctx.write(name, pg.pcap_bytes(cv.records(packets), pg.LINKTYPE_ETHERNET))
    files, _ = truth(packets)
    return path, packets, files


def _iso(ns):
    t = datetime.datetime.fromtimestamp(ns // 10**9, datetime.timezone.utc)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + ".%06dZ" % (ns % 10**9 // 1000)


def _epoch(ns):
    return "%d.%06d" % (ns // 10**9, ns % 10**9 // 1000)


def _duration(first, last):
    us = (last - first) // 1000
    return "%d.%06d" % divmod(us, 1000000)


def _facts(c, packets):
    mine = [p for p in packets if p.conv is c]
    sent = [p for p in mine if p.dir == 0]
    got = [p for p in mine if p.dir == 1]
    first, last = min(p.ts_ns for p in mine), max(p.ts_ns for p in mine)
    close = {"fin": "fin", "rst": "rst", "none": "end_of_input"}
    close_of = [e[2] for e in ENDS if e[0] == c.ends[0]]
    return dict(
        local=c.ends[0][0], lport=c.ends[0][1], remote=c.ends[1][0], rport=c.ends[1][1],
        first=first, last=last, start=_iso(first), end=_iso(last),
        duration=_duration(first, last),
        bytes_out=sum(len(p.payload) for p in sent), bytes_in=sum(len(p.payload) for p in got),
        packets_out=len(sent), packets_in=len(got),
        close=close[close_of[0]] if close_of else "fin")


def _text_line(f):
    return ("connect: local %(local)s:%(lport)d, remote %(remote)s:%(rport)d, start %(start)s, "
            "duration %(duration)s s, sent %(bytes_out)d bytes in %(packets_out)d packets, "
            "received %(bytes_in)d bytes in %(packets_in)d packets, close %(close)s\n" % f)


def _json_line(f):
    return ('{"hostname":null,"cmd":null,"dst_ip":"%(remote)s","dst_port":%(rport)d,'
            '"pid":null,"ppid":null,"uid":null,"username":null,"exe":null,"cmdline":null,'
            '"direction":"out","local_ip":"%(local)s","local_port":%(lport)d,'
            '"remote_ip":"%(remote)s","remote_port":%(rport)d,"start":"%(start)s",'
            '"end":"%(end)s","duration":%(duration)s,"bytes_out":%(bytes_out)d,'
            '"bytes_in":%(bytes_in)d,"packets_out":%(packets_out)d,'
            '"packets_in":%(packets_in)d,"close":"%(close)s"}\n' % f)


CUSTOM = "%S %E %d [%L]:%l>[%R]:%r %D o=%o/%O i=%i/%I %C u=%u U=%U p=%p P=%P c=%c x=%x a=%a %%%n"


def _custom_line(f):
    g = dict(f, S=_epoch(f["first"]), E=_epoch(f["last"]))
    return ("%(S)s %(E)s %(duration)s [%(local)s]:%(lport)d>[%(remote)s]:%(rport)d out "
            "o=%(bytes_out)d/%(packets_out)d i=%(bytes_in)d/%(packets_in)d %(close)s "
            "u=- U=- p=- P=- c=- x=- a=- %%\n" % g)


def _read_lines(path):
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return f.read().splitlines(keepends=True)


def _compare_lines(tag, got, want):
    if got is None:
        return ["%s: no connection log" % tag]
    if sorted(got) != sorted(want):
        return ["%s: lines\n%s\nexpected\n%s" % (tag, "".join(sorted(got)),
                                                   "".join(sorted(want)))]
    return []


def _connlog_case(ctx, fmt_args, render, runs=1):
    convs = _convs()
    path, packets, files = _capture(ctx, convs)
    want = [render(_facts(c, packets)) for c in convs] * runs
    args = ["-r", path, "-o", "out", "--connlog", "out/conn.log"] + fmt_args
    case = Case([Run(args) for _ in range(runs)], None, {})
    case.some_files = files
    case.check = lambda outdir: _compare_lines("conn.log", _read_lines(
        os.path.join(outdir, "conn.log")), want)
    return case


@scenario("connlog-text-capture")
def _(ctx):
    return _connlog_case(ctx, [], _text_line)


@scenario("connlog-json-capture")
def _(ctx):
    case = _connlog_case(ctx, ["--connlog-format", "json"], _json_line)
    inner = case.check

    def check(outdir):
        probs = inner(outdir)
        for line in _read_lines(os.path.join(outdir, "conn.log")) or []:
            try:
                json.loads(line)
            except ValueError as e:
                probs.append("not JSON: %r (%s)" % (line, e))
        return probs
    case.check = check
    return case


@scenario("connlog-format-codes-capture")
def _(ctx):
    return _connlog_case(ctx, ["--connlog-format", CUSTOM], _custom_line)


@scenario("connlog-appends")
def _(ctx):
    # A second run appends: the log holds both runs' records.
    return _connlog_case(ctx, [], _text_line, runs=2)


@scenario("connlog-stdout")
def _(ctx):
    convs = _convs()
    path, packets, files = _capture(ctx, convs)
    want = [_text_line(_facts(c, packets)) for c in convs]
    run = Run(["-r", path, "-o", "out", "--connlog", "-"])
    run.check_stdout = lambda out: _compare_lines(
        "stdout", out.decode().splitlines(keepends=True), want)
    case = Case([run], files, {})
    return case


# -- rules ----------------------------------------------------------------------------
def _rules_case(ctx, rule_args, kept, stderr=(), extra_files=None):
    """Runs with rule_args; `kept` are indexes into ENDS whose connections must be
    the only ones recorded: flow files, flows.jsonl entries, connection log."""
    convs = _convs()
    path, packets, files = _capture(ctx, convs)
    for name, text in (extra_files or {}).items():
        ctx.write(name, text.encode())
    rule_args = [a.replace("@IN@", ctx.indir) for a in rule_args]
    keep_names = {c.name(d) for i, c in enumerate(convs) if i in kept for d in (0, 1)}
    want_files = {k: v for k, v in files.items() if k in keep_names}
    want_log = [_text_line(_facts(c, packets)) for i, c in enumerate(convs) if i in kept]
    args = ["-r", path, "-o", "out", "-S", "jsonl=out/flows.jsonl", "--connlog",
            "out/conn.log"] + rule_args
    case = Case([Run(args, stderr=stderr)], None, {})
    case.some_files = want_files

    def check(outdir):
        present = set()
        for base, _, names in os.walk(outdir):
            present |= {os.path.relpath(os.path.join(base, n), outdir) for n in names}
        present -= {"report.xml", "conn.log", "flows.jsonl"}
        probs = []
        if present != set(want_files):
            probs.append("flow files %s, expected %s" % (sorted(present), sorted(want_files)))
        probs += _compare_lines("conn.log", _read_lines(os.path.join(outdir, "conn.log")),
                               want_log)
        names, conns = set(), set()
        for line in _read_lines(os.path.join(outdir, "flows.jsonl")) or []:
            obj = json.loads(line)
            if obj.get("record") == "connection":
                conns.add(obj.get("orig_port"))
            elif "filename" in obj:
                names.add(os.path.basename(obj["filename"]))
        if names != set(want_files):
            probs.append("flows.jsonl flows %s, expected %s" % (sorted(names),
                                                               sorted(want_files)))
        want_conns = {ENDS[i][0][1] for i in kept}
        if conns != want_conns:
            probs.append("flows.jsonl connections %s, expected %s" % (sorted(conns),
                                                                     sorted(want_conns)))
        return probs
    case.check = check
    return case


# Each operator family; ENDS[i] as (client, server): 0 10.4.0.1:41001>10.4.9.2:80,
# 1 10.4.0.1:41002>10.5.0.3:22, 2 10.4.2.7:50000>10.4.9.2:8080,
# 3 [2001:db8::1]:41003>[2001:db8:1::2]:443.
RULE_CASES = [
    ("rule-lport-number", ["--rule", "lport 41002"], {1}),
    ("rule-lport-range", ["--rule", "lport 41001-41002"], {0, 1}),
    ("rule-lport-open-low", ["--rule", "lport 45000-"], {2}),
    ("rule-rport-open-high", ["--rule", "rport -80"], {0, 1}),
    ("rule-rport-service", ["--rule", 'rport "ssh" or rport "http"'], {0, 1}),
    ("rule-laddr-prefix", ["--rule", "laddr 10.4.2.0/24"], {2}),
    ("rule-raddr-dotted-mask", ["--rule", "raddr 10.4.0.0/255.255.0.0"], {0, 2}),
    ("rule-laddr-ipv6", ["--rule", "laddr 2001:db8::/64"], {3}),
    ("rule-ip-ip6", ["--rule", "ip6"], {3}),
    ("rule-ip", ["--rule", "ip"], {0, 1, 2}),
    ("rule-not-and-or-parens",
     ["--rule", "not (rport 22 or ip6) and (laddr 10.4.0.1 or lport 50000)"], {0, 2}),
    ("rule-and-binds-tighter-than-or", ["--rule", "rport 22 or rport 80 and lport 41001"],
     {0, 1}),
    ("rule-several-any-matches", ["--rule", "rport 22", "--rule", "ip6"], {1, 3}),
    ("rule-user-unknown-on-files", ["--rule", "user 0"], set()),
    ("rule-rules-file", ["--rules-file", "@IN@/rules"], {0, 2}),
    ("rule-rules-file-empty", ["--rules-file", "@IN@/empty"], set()),
]


def _rule_scenario(name, args, kept):
    @scenario(name)
    def _(ctx):
        return _rules_case(ctx, args, kept, extra_files={
            "rules": "# web traffic only\n\nrport 80 # the old port\nrport \"http-alt\"\n",
            "empty": "# nothing here\n"})


for _name, _args, _kept in RULE_CASES:
    _rule_scenario(_name, _args, _kept)


@scenario("rule-exe-without-processes-warns-and-is-true")
def _(ctx):
    case = _rules_case(ctx, ["--rule", 'exe "/usr/bin/*"', "--rule", 'exe "*"'],
                       {0, 1, 2, 3}, stderr=[["'exe' in a rule is true"]])
    inner = case.check

    def check(outdir):
        probs = inner(outdir)
        err = case.runs[0].stderr_text.decode()
        if err.count("'exe' in a rule") != 1:
            probs.append("the exe warning is not said exactly once: %r" % err)
        return probs
    case.check = check
    return case


@scenario("rule-after-bpf")
def _(ctx):
    # BPF first (port 80 or port 22 keeps connections 0 and 1), then the rules.
    case = _rules_case(ctx, ["--rule", "lport 41002 or lport 50000", "port 80 or port 22"],
                       {1})
    return case


# -- option errors --------------------------------------------------------------------
ERRORS = [
    ("attrib-processes-on-file", ["--processes"], ["--processes needs a live capture"]),
    ("attrib-rule-syntax-column", ["--rule", "lport 80 andd rport 22"],
     ["rule 'lport 80 andd rport 22': column 10"]),
    ("attrib-rule-unknown-user", ["--rule", 'user "no-such-user-tcpflow"'],
     ["no-such-user-tcpflow"]),
    ("attrib-rule-unknown-service", ["--rule", 'rport "no-such-service"'],
     ["no-such-service"]),
    ("attrib-rule-empty-range", ["--rule", "lport -"], ["rule 'lport -': column"]),
    ("attrib-rules-file-missing", ["--rules-file", "/nonexistent/rules"],
     ["cannot read rules file /nonexistent/rules"]),
    ("attrib-connlog-format-bad-code", ["--connlog", "x.log", "--connlog-format", "%s %q"],
     ["unknown code '%q' at position 4"]),
    ("attrib-connlog-format-alone", ["--connlog-format", "json"],
     ["--connlog-format needs --connlog"]),
    ("attrib-connlog-bad-facility", ["--connlog", "syslog:nosuch"],
     ["unknown syslog facility"]),
    ("attrib-snoop-time-alone", ["--snoop-time"], ["--snoop-time needs --snoop"]),
]


def _error_scenario(name, args, stderr):
    @scenario(name)
    def _(ctx):
        convs = _convs()
        path, _, _ = _capture(ctx, convs)
        return Case([Run(["-r", path, "-o", "out"] + args, exit=2, stderr=[stderr])],
                    outdir=None, report=False)


for _name, _args, _stderr in ERRORS:
    _error_scenario(_name, _args, _stderr)


# -- --snoop --------------------------------------------------------------------------
SNOOP_HEADER = "%5s %6s %-15s %5s %2s %-15s %5s %6s %s\n" % (
    "UID", "PID", "LADDR", "LPORT", "DR", "RADDR", "RPORT", "SIZE", "CMD")


def _snoop_lines(convs, packets, kept, with_time=False, json_lines=False):
    out = [] if json_lines else [("%-27s " % "TIME" if with_time else "") + SNOOP_HEADER]
    for p in packets:
        i = convs.index(p.conv)
        if i not in kept:
            continue
        (la, lp), (ra, rp) = p.conv.ends
        sent = p.dir == 0
        if json_lines:
            out.append('{"time":"%s","uid":null,"pid":null,"laddr":"%s","lport":%d,'
                       '"dir":"%s","raddr":"%s","rport":%d,"size":%d,"cmd":null}\n' % (
                           _iso(p.ts_ns), la, lp, "out" if sent else "in", ra, rp,
                           len(p.payload)))
            continue
        line = "%5s %6s %-15s %5d %2s %-15s %5d %6d %s\n" % (
            "-", "-", la, lp, "->" if sent else "<-", ra, rp, len(p.payload), "-")
        out.append(("%-27s " % _iso(p.ts_ns) if with_time else "") + line)
    return out


def _snoop_case(ctx, args, kept, **kw):
    convs = _convs()
    path, packets, _ = _capture(ctx, convs)
    want = _snoop_lines(convs, packets, kept, **kw)
    run = Run(["-r", path, "-o", "out", "--snoop"] + args)

    def check_stdout(out):
        got = out.decode().splitlines(keepends=True)
        if got != want:
            return ["snoop lines\n%s\nexpected\n%s" % ("".join(got), "".join(want))]
        return []
    run.check_stdout = check_stdout
    # No flow files and no report: nothing at all is written.
    return Case([run], outdir=None, report=False)


@scenario("snoop-capture-lines")
def _(ctx):
    return _snoop_case(ctx, [], {0, 1, 2, 3})


@scenario("snoop-time-column")
def _(ctx):
    return _snoop_case(ctx, ["--snoop-time"], {0, 1, 2, 3}, with_time=True)


@scenario("snoop-json-lines")
def _(ctx):
    return _snoop_case(ctx, ["-J"], {0, 1, 2, 3}, json_lines=True)


@scenario("snoop-follows-rules")
def _(ctx):
    return _snoop_case(ctx, ["--rule", "rport 8080 or ip6"], {2, 3})


# -- %U and %P in -T --------------------------------------------------------------------
@scenario("template-process-codes-without-processes")
def _(ctx):
    # On a capture file no process is known: %U and %P say "unknown" (and
    # tcpflow says so once), the rest of the name is as usual.
    convs = _convs()
    path, packets, files = _capture(ctx, convs)
    want = {"unknown/unknown/" + name: data for name, data in files.items()}
    run = Run(["-r", path, "-o", "out", "-T", "%U/%P/%A.%a-%B.%b"],
              stderr=[["%U and %P name a connection's process only with --processes"]])
    return Case([run], want, {})
