#!/usr/bin/env python3
"""Live capture notices (issue 23): tcpflow -i lo on real TCP connections.

Usage: live_notices_test.py TCPFLOW [SRCDIR]

Root only (exit 77 otherwise, or when lo cannot be captured on).
1. stderr a file: tcpdump's "listening on lo, link-type EN10MB (Ethernet),
   snapshot length 262144 bytes" line, at the end the pcap_stats line
   ("N packets received by filter, N packets dropped by kernel, N packets
   dropped by interface"), the same figures in report.xml's summary
   (capture_received >= packets_read), the report valid against dfxml.xsd,
   and no progress line (stderr is not a terminal).
2. stderr a terminal (a pty; this part alone is skipped, with a line saying
   why, when none can be opened): a progress line once a second with the
   packets, flows and drops so far, rewritten in place ("\\r").
"""

import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True
import live_test as lt  # noqa: E402

NS = "{http://tcpflow.org/dfxml/2}"
LISTENING = re.compile(r"^tcpflow: listening on lo, link-type EN10MB \(Ethernet\), "
                       r"snapshot length 262144 bytes$", re.M)
STATS = re.compile(r"^tcpflow: (\d+) packets? received by filter, (\d+) packets? dropped by "
                   r"kernel, (\d+) packets? dropped by interface$", re.M)
PROGRESS = re.compile(rb"\rtcpflow: (\d+) packets, (\d+) flows, (\d+) dropped")


def summary(path):
    root = ET.parse(path).getroot()
    s = root.find(NS + "summary")
    values = {v.get("name"): v.get("value") for v in s.findall(NS + "value")}
    return s, values


def test_lines_and_report(t, binary, top, srcdir):
    lt.log("== tcpflow -i lo -o OUT port P: listening line, pcap_stats, report")
    port = lt.free_port(False)
    server = lt.Server(socket.AF_INET, "127.0.0.1", port, False)
    cwd = os.path.join(top, "notices")
    os.makedirs(cwd)
    outdir = os.path.join(cwd, "OUT")
    p, err = lt.start(binary, ["-i", "lo", "-o", "OUT", "-S", "packet-buffer-timeout=50",
                               "port", str(port)], cwd, subprocess.DEVNULL)
    try:
        def seen(cport):
            try:
                return any(".%05d-" % cport in f for f in os.listdir(outdir))
            except OSError:
                return False
        if lt.wait_capturing(p, socket.AF_INET, "127.0.0.1", port, False, seen) is None:
            rc = lt.stop(p)
            t.check("tcpflow captures on lo within 10 s", False,
                    "exit %s; stderr: %s" % (rc, lt.stderr_text(err)[:300]))
            return
        for i in range(3):
            lt.client(socket.AF_INET, "127.0.0.1", port, [(2000, 3000)], 50 + i, False)
        time.sleep(0.5)
        rc = lt.stop(p)
        t.check("SIGTERM: exit status 0", rc == 0, "exit %s" % rc)
    finally:
        if p.poll() is None:
            lt.stop(p, signal.SIGKILL)
        server.close()
    text = lt.stderr_text(err)
    t.check("stderr: tcpdump's listening line", LISTENING.search(text) is not None, text[:300])
    m = STATS.search(text)
    if not t.check("stderr: the pcap_stats line at the end", m is not None, text[-300:]):
        return
    t.check("stderr: no progress line when stderr is a file", "\r" not in text, repr(text[:200]))
    report = os.path.join(outdir, "report.xml")
    if not t.check("report.xml written", os.path.exists(report)):
        return
    lt.validate_report(t, report, srcdir)
    s, values = summary(report)
    received, kernel, interface = m.group(1), m.group(2), m.group(3)
    t.check("report: capture figures equal the stderr line",
            (values.get("capture_received"), values.get("capture_dropped_by_kernel"),
             values.get("capture_dropped_by_interface")) == (received, kernel, interface),
            "report %r, stderr %r" % (values, m.groups()))
    t.check("report: capture_received >= packets_read (%s)" % s.get("packets_read"),
            int(received) >= int(s.get("packets_read")) > 0, received)
    t.check("report: a live capture stopped by SIGTERM is complete",
            s.get("status") == "complete", s.get("status"))
    if int(kernel) > 0:
        t.check("kernel drops are warned about", "the kernel dropped" in text, text[-300:])


def test_progress_on_terminal(t, binary, top):
    lt.log("== tcpflow -i lo -o OUT port P with stderr on a terminal: progress")
    pair, why = lt.open_terminal()
    if pair is None:
        lt.log("SKIP (this part only): the live progress line needs a pseudo-terminal, "
               "and none can be opened here: %s" % why)
        return
    import tty
    master, slave = pair
    tty.setraw(slave)
    port = lt.free_port(False)
    server = lt.Server(socket.AF_INET, "127.0.0.1", port, False)
    cwd = os.path.join(top, "progress")
    os.makedirs(cwd)
    p = subprocess.Popen([binary, "-i", "lo", "-o", "OUT", "-S", "packet-buffer-timeout=50",
                          "port", str(port)], cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=subprocess.DEVNULL, stderr=slave, start_new_session=True)
    os.close(slave)
    got = bytearray()
    done = threading.Event()

    def reader():
        while not done.is_set():
            r, _, _ = select.select([master], [], [], 0.2)
            if r:
                try:
                    chunk = os.read(master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                got.extend(chunk)
    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        if not lt.wait_packet_socket(p, 10.0):
            t.check("progress: tcpflow opens the capture within 10 s", False, bytes(got[:300]))
            return
        time.sleep(0.3)
        end = time.monotonic() + 2.6
        n = 0
        while time.monotonic() < end:
            n += 1
            lt.client(socket.AF_INET, "127.0.0.1", port, [(500, 500)], 200 + n, False)
            time.sleep(0.1)
        time.sleep(1.2)
        rc = lt.stop(p)
        t.check("progress: SIGTERM: exit status 0", rc == 0, "exit %s" % rc)
    finally:
        if p.poll() is None:
            lt.stop(p, signal.SIGKILL)
        time.sleep(0.3)
        done.set()
        th.join(2)
        os.close(master)
        server.close()
    lines = PROGRESS.findall(bytes(got))
    t.check("progress: a packets/flows/drops line, rewritten in place", len(lines) >= 2,
            repr(bytes(got[:400])))
    if lines:
        last = lines[-1]
        t.check("progress: it counts the packets and flows seen",
                int(last[0]) > 0 and int(last[1]) > 0, repr(last))
    t.check("progress: the stats line follows on a line of its own",
            re.search(rb"\n(\r)?tcpflow: \d+ packets? received by filter", bytes(got)) is not None,
            repr(bytes(got[-300:])))


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 99
    binary = os.path.abspath(sys.argv[1])
    srcdir = sys.argv[2] if len(sys.argv) > 2 else None
    if os.geteuid() != 0:
        lt.log("SKIP: live capture test needs root (running as uid %d)" % os.geteuid())
        return lt.SKIP
    try:
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        raw.bind(("lo", 0))
        raw.close()
    except (OSError, AttributeError) as e:
        lt.log("SKIP: cannot capture on lo here: raw packet socket on lo: %s" % e)
        return lt.SKIP
    t = lt.Test()
    top = tempfile.mkdtemp(prefix="tcpflow-live-notices-")
    try:
        test_lines_and_report(t, binary, top, srcdir)
        test_progress_on_terminal(t, binary, top)
    finally:
        if t.failures:
            lt.log("files kept in %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
    lt.log("%d failure(s)" % len(t.failures))
    return lt.FAIL if t.failures else 0


if __name__ == "__main__":
    sys.exit(main())
