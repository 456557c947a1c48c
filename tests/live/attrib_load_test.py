#!/usr/bin/env python3
"""Attribution under load (issue 14): 2,000 loopback connections in 10 s.

Usage: attrib_load_test.py TCPFLOW [--connections N] [--seconds S]

Root only (exit 77 otherwise). A server and 20 client processes run on
127.0.0.1; each client opens its share of the connections, evenly spread
over the time given, sends a line, reads the reply and closes: every other
connection is held 60 ms first ("long"), the rest close at once ("short").
tcpflow -i lo --processes --connlog (JSON), with its default capture
buffer timeout, records them. Checks:
  * every connection has its client-end record in the connection log;
  * at least 99% of the long ones name the client process that made them.
Prints how many of the short ones are attributed (the issue asks for the
figure; a connection gone before its lookup is "unknown" by design).
"""

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from attrib_live_test import start_tcpflow, wait_listening  # noqa: E402

SKIP, FAIL = 77, 1
CLIENTS = 20

SERVER = r'''
import selectors, socket
sel = selectors.DefaultSelector()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0)); s.listen(512); s.setblocking(False)
print(s.getsockname()[1], flush=True)
sel.register(s, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is s:
            c, _ = s.accept(); c.setblocking(False)
            sel.register(c, selectors.EVENT_READ)
            continue
        c = key.fileobj
        try:
            data = c.recv(100)
        except OSError:
            data = b""
        if data:
            c.sendall(b"pong " + data)
        else:
            sel.unregister(c); c.close()
'''

CLIENT = r'''
import socket, sys, time
port, count, period, first = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
start = time.monotonic()
for i in range(count):
    delay = start + i * period - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    c = socket.create_connection(("127.0.0.1", port))
    long_one = (first + i) % 2 == 0
    print(c.getsockname()[1], 1 if long_one else 0, flush=True)
    c.sendall(b"ping\n")
    c.recv(100)
    if long_one:
        time.sleep(0.06)
    c.close()
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("tcpflow")
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--no-processes", action="store_true",
                    help="without --processes (to compare the capture alone)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("SKIP: needs root")
        return SKIP
    binary = os.path.abspath(args.tcpflow)
    python = "/usr/bin/python3" if os.access("/usr/bin/python3", os.X_OK) else sys.executable
    top = tempfile.mkdtemp(prefix="tcpflow-attrib-load-")
    procs = []
    try:
        paths = {}
        for name, text in (("server.py", SERVER), ("client.py", CLIENT)):
            paths[name] = os.path.join(top, name)
            with open(paths[name], "w") as f:
                f.write(text)
        server = subprocess.Popen([python, paths["server.py"]], stdout=subprocess.PIPE, text=True)
        procs.append(server)
        port = int(server.stdout.readline())
        os.makedirs(os.path.join(top, "out"))
        attribution = [] if args.no_processes else ["--processes"]
        run = start_tcpflow(binary, ["-o", "out", "-S", "max_linger=0"] + attribution +
                            ["--connlog", "conn.json", "--connlog-format", "json",
                             "port %d" % port], top, "load", buffer_timeout_ms=None)
        procs.append(run[0])
        if not wait_listening([run]):
            print("FAIL: tcpflow did not start: " + open(run[1].name).read())
            return FAIL
        time.sleep(0.3)
        per_client = args.connections // CLIENTS
        period = args.seconds / per_client
        t0 = time.monotonic()
        clients = [subprocess.Popen([python, paths["client.py"], str(port), str(per_client),
                                     "%.6f" % period, str(k)], stdout=subprocess.PIPE, text=True)
                   for k in range(CLIENTS)]
        # Loopback lets a closed connection's port be reused at once
        # (tcp_tw_reuse), so one port may carry several connections.
        made = {}  # client port -> [(pid, long)]
        for c in clients:
            out, _ = c.communicate(timeout=args.seconds * 6 + 60)
            for line in out.split("\n"):
                if line.strip():
                    cport, long_one = line.split()
                    made.setdefault(int(cport), []).append((c.pid, long_one == "1"))
        took = time.monotonic() - t0
        time.sleep(1.5)  # the last closes leave the table and are logged
        run[0].send_signal(signal.SIGINT)
        rc = run[0].wait(60)
        with open(os.path.join(top, "conn.json")) as f:
            recs = [json.loads(x) for x in f if x.strip()]
        by_port = {}
        for r in recs:
            if r.get("direction") == "out" and r.get("local_port") in made:
                by_port.setdefault(r["local_port"], []).append(r)
        total = sum(len(v) for v in made.values())
        longs = sum(1 for v in made.values() for _, lg in v if lg)
        shorts = total - longs
        recorded = sum(min(len(v), len(by_port.get(p, []))) for p, v in made.items())
        long_ok = short_ok = 0
        for p, uses in made.items():
            pids = {pid for pid, _ in uses}
            for r in by_port.get(p, [])[:len(uses)]:
                # A reused port: tell its connections apart by how long they lasted.
                is_long = uses[0][1] if len(uses) == 1 else r.get("duration", 0) >= 0.055
                if r.get("pid") in pids:
                    if is_long:
                        long_ok += 1
                    else:
                        short_ok += 1
        print("%d connections (%d ports) from %d processes in %.1f s; tcpflow exit %d" %
              (total, len(made), CLIENTS, took, rc))
        print("recorded (client end in the log): %d of %d" % (recorded, total))
        print("attributed: long (>= 60 ms) %d of %d (%.2f%%), short %d of %d (%.2f%%)" %
              (long_ok, longs, 100.0 * long_ok / max(1, longs),
               short_ok, shorts, 100.0 * short_ok / max(1, shorts)))
        failures = 0
        if rc != 0:
            print("FAIL: tcpflow exit %d: %s" % (rc, open(run[1].name).read()[-500:]))
            failures += 1
        if total != args.connections or recorded != total:
            print("FAIL: every connection recorded")
            failures += 1
        if long_ok * 100 < 99 * longs:
            print("FAIL: at least 99% of the long connections attributed")
            failures += 1
        print("%d failure(s)" % failures)
        return FAIL if failures else 0
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        if os.environ.get("KEEP"):
            print("kept " + top)
        else:
            subprocess.run(["rm", "-rf", top])


if __name__ == "__main__":
    sys.exit(main())
