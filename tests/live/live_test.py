#!/usr/bin/env python3
"""Live capture test: tcpflow -i lo on real TCP connections.

Usage: live_test.py TCPFLOW [SRCDIR]

Runs as root only (exit 77 otherwise, or when a raw socket on lo cannot be
opened). Every step has a timeout; the whole test takes well under 30 s.

1. ``tcpflow -i lo -o OUT -S packet-buffer-timeout=50 port P``: waits until
   it captures (probe connections until a probe's flow file appears), makes
   a few connections to 127.0.0.1 and [::1] exchanging known data both ways
   (two rounds each), sends SIGHUP (it must keep running), then SIGTERM:
   exit 0, each flow file holds exactly the bytes sent that way, report.xml
   exists and validates against dfxml.xsd when xmllint and the schema
   (SRCDIR/../shared/dfxml-schema/dfxml.xsd) are there; ``-w`` leaves a
   pcap file holding just its header (every packet captured was TCP).
2. The same with ``-c``, stopped by SIGINT: nothing written in the working directory, and per
   flow the printed chunks concatenate to the bytes sent.
3. ``-U nobody`` (OUT owned by nobody): the process runs as nobody once the
   capture is open, and still records the flow and the report.
4. ``-c -g`` on a terminal (a pty; not live, but needs no extra harness):
   the colours of the console specification. Where no pseudo-terminal can
   be opened (no /dev/pts), this part alone is skipped with a line saying
   why and the others still run (checked by no_terminal_test.py).
5. ``-i`` with an interface that does not exist: a message naming it and a
   non-zero exit (no signal, no hang).
"""

import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SKIP, FAIL = 77, 1
IO_TIMEOUT = 5.0


def log(msg):
    print(msg, flush=True)


def name_of(src, sport, dst, dport):
    """tcpflow's default flow file name (%A.%a-%B.%b, no VLAN, first of its name)."""
    import ipaddress

    def addr(a):
        ip = ipaddress.ip_address(a)
        return ".".join("%03d" % b for b in ip.packed) if ip.version == 4 else ip.compressed
    return "%s.%05d-%s.%05d" % (addr(src), sport, addr(dst), dport)


# ---------------------------------------------------------------------------
# Traffic: a tiny server on both loopback addresses. Protocol per connection:
# the client sends its first block and shuts nothing; the server reads exactly
# the announced length (8-byte header: 4 bytes length of this block, 4 bytes
# length of the reply wanted), answers, and the same again for round two.
def payload(seed, n, printable):
    rng = random.Random(seed)
    if printable:
        alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 .,;-_"
        return bytes(rng.choice(alphabet) for _ in range(n))
    return bytes(rng.randrange(256) for _ in range(n))


def recv_exact(sock, n):
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise EOFError("peer closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return bytes(buf)


class Server:
    def __init__(self, family, addr, port, printable):
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            self.sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        self.sock.bind((addr, port))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.printable = printable
        self.stop = False
        self.errors = []
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()

    def loop(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.serve, args=(conn,), daemon=True).start()

    def serve(self, conn):
        conn.settimeout(IO_TIMEOUT)
        try:
            with conn:
                while True:
                    head = conn.recv(8, socket.MSG_WAITALL)
                    if len(head) < 8:
                        return
                    n, want = int.from_bytes(head[:4], "big"), int.from_bytes(head[4:], "big")
                    body = recv_exact(conn, n)
                    seed = int.from_bytes(body[:8].ljust(8, b"\0"), "big")
                    conn.sendall(payload(seed, want, self.printable))
        except (OSError, EOFError) as e:
            self.errors.append(str(e))

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def client(family, addr, port, rounds, seed, printable):
    """Runs one connection; returns (client port, bytes sent, bytes received)."""
    sent, got = bytearray(), bytearray()
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(IO_TIMEOUT)
        s.connect((addr, port))
        cport = s.getsockname()[1]
        for r, (n, want) in enumerate(rounds):
            body = payload(seed * 100 + r, n, printable)
            block = n.to_bytes(4, "big") + want.to_bytes(4, "big") + body
            s.sendall(block)
            sent += block
            got += recv_exact(s, want)
            expect = payload(int.from_bytes(body[:8].ljust(8, b"\0"), "big"), want, printable)
            if bytes(got[-want:]) != expect:
                raise RuntimeError("the test server answered unexpected bytes")
        s.shutdown(socket.SHUT_WR)
        if s.recv(1) != b"":
            raise RuntimeError("the test server sent more than asked")
    return cport, bytes(sent), bytes(got)


def free_port(v6):
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s4:
            s4.bind(("127.0.0.1", 0))
            port = s4.getsockname()[1]
            if not v6:
                return port
            try:
                with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s6:
                    s6.bind(("::1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port on 127.0.0.1 and ::1")


def have_ipv6_lo():
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
class Test:
    def __init__(self):
        self.failures = []

    def check(self, what, ok, detail=""):
        log("%s: %s%s" % ("ok  " if ok else "FAIL", what, "" if ok or not detail else " (%s)" % detail))
        if not ok:
            self.failures.append(what)
        return ok


def start(binary, args, cwd, stdout):
    err = open(os.path.join(cwd, "..", os.path.basename(cwd) + ".stderr"), "w+b")
    def child():   # signals as tcpflow would get them from a shell, even if ignored here
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
    p = subprocess.Popen([binary] + args, cwd=cwd, stdout=stdout, stderr=err,
                         stdin=subprocess.DEVNULL, start_new_session=True, preexec_fn=child)
    return p, err


def stderr_text(err):
    err.flush()
    err.seek(0)
    return err.read().decode("utf-8", "replace").strip()


def stop(p, sig=signal.SIGTERM, timeout=10):
    """Sends sig; returns the exit status, or None after killing it on timeout."""
    if p.poll() is None:
        p.send_signal(sig)
    try:
        return p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
        return None


def wait_capturing(p, family, addr, port, printable, seen, timeout=10.0):
    """Probe connections until seen(probe client port) says tcpflow has its
    data. Returns the probe ports, or None on timeout / early exit."""
    probes = []
    deadline = time.monotonic() + timeout
    n = 0
    while time.monotonic() < deadline:
        if p.poll() is not None:
            return None
        n += 1
        cport, _, _ = client(family, addr, port, [(16, 16)], 9000 + n, printable)
        probes.append(cport)
        t_end = time.monotonic() + 0.3
        while time.monotonic() < t_end:
            if seen(cport):
                return probes
            time.sleep(0.05)
    return None


def packet_socket_inodes():
    try:
        with open("/proc/net/packet") as f:
            lines = f.read().split("\n")
    except OSError:
        return None
    col = lines[0].split().index("Inode")
    return {l.split()[col] for l in lines[1:] if len(l.split()) > col}


def wait_packet_socket(p, timeout):
    """True once process p holds an AF_PACKET socket (its capture handle)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and p.poll() is None:
        inodes = packet_socket_inodes()
        if inodes is None:          # no /proc/net/packet: just wait a little
            time.sleep(1.0)
            return p.poll() is None
        fds = "/proc/%d/fd" % p.pid
        try:
            for fd in os.listdir(fds):
                link = os.readlink(os.path.join(fds, fd))
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return True
        except OSError:
            pass
        time.sleep(0.05)
    return False


def traffic(port, v6, printable):
    """The real connections: (family, addr, client port, sent, received)."""
    plan = [(socket.AF_INET, "127.0.0.1", [(3000, 5000), (700, 1200)]),
            (socket.AF_INET, "127.0.0.1", [(12, 4000)]),
            (socket.AF_INET, "127.0.0.1", [(5000, 100), (2000, 2000), (1, 1)])]
    if v6:
        plan += [(socket.AF_INET6, "::1", [(2500, 3500), (900, 12)]),
                 (socket.AF_INET6, "::1", [(64, 6000)])]
    out = []
    for i, (fam, addr, rounds) in enumerate(plan):
        cport, sent, got = client(fam, addr, port, rounds, i + 1, printable)
        out.append((addr, cport, sent, got))
    return out


def validate_report(t, path, srcdir):
    schema = None
    for base in ([srcdir] if srcdir else []) + [os.path.join(HERE, "..", "..")]:
        cand = os.path.normpath(os.path.join(base, "..", "shared", "dfxml-schema", "dfxml.xsd"))
        if os.path.exists(cand):
            schema = cand
            break
    xmllint = shutil.which("xmllint")
    if not schema or not xmllint:
        log("note: report.xml not validated (%s)" % ("no xmllint" if not xmllint else "no dfxml.xsd"))
        return
    r = subprocess.run([xmllint, "--noout", "--schema", schema, path], capture_output=True,
                       timeout=30)
    t.check("report.xml valid against dfxml.xsd", r.returncode == 0,
            r.stderr.decode("utf-8", "replace").strip()[-400:])


def test_files(t, binary, top, srcdir, v6):
    log("== tcpflow -i lo -o OUT port P")
    port = free_port(v6)
    servers = [Server(socket.AF_INET, "127.0.0.1", port, False)]
    if v6:
        servers.append(Server(socket.AF_INET6, "::1", port, False))
    cwd = os.path.join(top, "files")
    os.makedirs(cwd)
    outdir = os.path.join(cwd, "OUT")
    # --buffer-size: a capture buffer of our choosing still records every byte.
    p, err = start(binary, ["-i", "lo", "-o", "OUT", "-w", "unused.pcap", "--buffer-size", "4M",
                            "-S", "packet-buffer-timeout=50", "port", str(port)], cwd,
                   subprocess.DEVNULL)
    try:
        def seen(cport):
            try:
                return any(".%05d-" % cport in f for f in os.listdir(outdir))
            except OSError:
                return False
        probes = wait_capturing(p, socket.AF_INET, "127.0.0.1", port, False, seen)
        if probes is None:
            rc = stop(p)
            msg = stderr_text(err)
            t.check("tcpflow captures on lo within 10 s", False,
                    "exit %s; stderr: %s" % (rc, msg[:300]))
            return
        conns = traffic(port, v6, False)
        time.sleep(0.5)
        p.send_signal(signal.SIGHUP)
        time.sleep(0.5)
        t.check("SIGHUP does not stop tcpflow", p.poll() is None,
                "exit %s; stderr: %s" % (p.returncode, stderr_text(err)[:300]))
        time.sleep(0.5)
        rc = stop(p)
        t.check("SIGTERM: exit status 0", rc == 0,
                "exit %s; stderr: %s" % (rc, stderr_text(err)[:300]))
    finally:
        if p.poll() is None:
            stop(p, signal.SIGKILL)
        for s in servers:
            s.close()
    files = set(os.listdir(outdir)) if os.path.isdir(outdir) else set()
    expected = {}
    for addr, cport, sent, got in conns:
        expected[name_of(addr, cport, addr, port)] = sent
        expected[name_of(addr, port, addr, cport)] = got
    for name, want in sorted(expected.items()):
        if not t.check("flow file %s exists" % name, name in files):
            continue
        with open(os.path.join(outdir, name), "rb") as f:
            have = f.read()
        i = next((k for k in range(min(len(have), len(want))) if have[k] != want[k]),
                 min(len(have), len(want)))
        t.check("%s holds the %d bytes sent" % (name, len(want)), have == want,
                "%d bytes, first difference at %d" % (len(have), i))
    probe_names = {n for n in files for c in probes if ".%05d-" % c in n or n.endswith(".%05d" % c)}
    extra = sorted(files - set(expected) - probe_names - {"report.xml"})
    t.check("no other files in OUT", not extra, ", ".join(extra[:5]))
    report = os.path.join(outdir, "report.xml")
    if t.check("report.xml written", os.path.exists(report)):
        validate_report(t, report, srcdir)
    # Every packet the filter passes is TCP: -w leaves just the pcap header,
    # with lo's link type (Ethernet).
    unused = os.path.join(cwd, "unused.pcap")
    head = open(unused, "rb").read() if os.path.exists(unused) else None
    t.check("-w unused.pcap: a 24-byte pcap header, link type 1",
            head is not None and len(head) == 24 and head[:4] in (
                b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1")
            and struct.unpack("<I", head[20:24])[0] == 1,
            "missing" if head is None else "%d bytes: %r" % (len(head), head[:24]))


def test_console(t, binary, top, v6):
    log("== tcpflow -i lo -c port P")
    port = free_port(v6)
    servers = [Server(socket.AF_INET, "127.0.0.1", port, True)]
    if v6:
        servers.append(Server(socket.AF_INET6, "::1", port, True))
    cwd = os.path.join(top, "console")
    os.makedirs(cwd)
    out_path = os.path.join(top, "console.stdout")
    out = open(out_path, "w+b")
    p, err = start(binary, ["-i", "lo", "-c", "-S", "packet-buffer-timeout=50",
                            "port", str(port)], cwd, out)

    def chunks():
        # (tcpflow writes the file; nothing to flush on this side)
        with open(out_path, "rb") as f:
            text = f.read()
        flows = {}
        for line in text.split(b"\n"):
            label, sep, data = line.partition(b": ")
            if sep:
                flows.setdefault(label.decode("utf-8", "replace"), []).append(data)
        return flows
    try:
        # -c output goes through stdio (buffered when not a terminal), so
        # readiness is judged by the capture socket: tcpflow holds a packet
        # socket once the capture is open; then a short grace period.
        if not wait_packet_socket(p, 10.0):
            rc = stop(p)
            t.check("-c: tcpflow opens the capture within 10 s", False,
                    "exit %s; stderr: %s" % (rc, stderr_text(err)[:300]))
            return
        time.sleep(0.5)
        conns = traffic(port, v6, True)
        time.sleep(1.0)
        rc = stop(p, signal.SIGINT)
        t.check("-c: SIGINT: exit status 0", rc == 0,
                "exit %s; stderr: %s" % (rc, stderr_text(err)[:300]))
    finally:
        if p.poll() is None:
            stop(p, signal.SIGKILL)
        for s in servers:
            s.close()
        out.close()
    flows = chunks()
    for addr, cport, sent, got in conns:
        for name, want in ((name_of(addr, cport, addr, port), sent),
                           (name_of(addr, port, addr, cport), got)):
            # The 8-byte block headers are binary: printed as '.' where not printable.
            want_text = bytes(b if (0x20 <= b < 0x7F or b in (10, 13)) else 0x2E for b in want)
            have = b"".join(flows.get(name, []))
            t.check("-c: %s printed in order (%d bytes)" % (name, len(want)), have == want_text,
                    "%d bytes printed in %d chunks" % (len(have), len(flows.get(name, []))))
    left = os.listdir(cwd)
    t.check("-c: nothing written in the working directory", not left, ", ".join(left[:5]))


def proc_uids(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Uid:"):
                    return [int(x) for x in line.split()[1:]]
    except OSError:
        pass
    return None


def test_drop_privileges(t, binary, top):
    import pwd
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        log("note: no user 'nobody', -U not tested")
        return
    log("== tcpflow -i lo -o OUT -U nobody port P")
    port = free_port(False)
    server = Server(socket.AF_INET, "127.0.0.1", port, False)
    cwd = os.path.join(top, "drop")
    os.makedirs(os.path.join(cwd, "OUT"))
    os.chown(os.path.join(cwd, "OUT"), user.pw_uid, user.pw_gid)
    outdir = os.path.join(cwd, "OUT")
    p, err = start(binary, ["-i", "lo", "-o", "OUT", "-U", "nobody",
                            "-S", "packet-buffer-timeout=50", "port", str(port)],
                   cwd, subprocess.DEVNULL)
    conns = []
    try:
        if not wait_packet_socket(p, 10.0):
            rc = stop(p)
            t.check("-U: tcpflow opens the capture within 10 s", False,
                    "exit %s; stderr: %s" % (rc, stderr_text(err)[:300]))
            return
        deadline = time.monotonic() + 3
        uids = proc_uids(p.pid)
        while time.monotonic() < deadline and uids and set(uids) != {user.pw_uid}:
            time.sleep(0.05)
            uids = proc_uids(p.pid)
        t.check("-U nobody: real, effective, saved uids are nobody's", uids is not None
                and set(uids) == {user.pw_uid}, "Uid: %s" % uids)
        time.sleep(0.5)
        cport, sent, got = client(socket.AF_INET, "127.0.0.1", port, [(1500, 2500)], 77, False)
        conns.append(("127.0.0.1", cport, sent, got))
        time.sleep(0.5)
        rc = stop(p)
        t.check("-U: SIGTERM: exit status 0", rc == 0,
                "exit %s; stderr: %s" % (rc, stderr_text(err)[:300]))
    finally:
        if p.poll() is None:
            stop(p, signal.SIGKILL)
        server.close()
    for addr, cport, sent, got in conns:
        for name, want in ((name_of(addr, cport, addr, port), sent),
                           (name_of(addr, port, addr, cport), got)):
            path = os.path.join(outdir, name)
            have = open(path, "rb").read() if os.path.exists(path) else None
            t.check("-U: %s holds the %d bytes sent" % (name, len(want)), have == want,
                    "missing" if have is None else "%d bytes" % len(have))
    t.check("-U: report.xml written", os.path.exists(os.path.join(outdir, "report.xml")))


def open_terminal():
    """A pseudo-terminal pair (master, slave), or None with the reason when
    none can be opened (a minimal container or chroot without /dev/pts)."""
    import pty
    try:
        return pty.openpty(), None
    except OSError as e:
        return None, str(e) or e.__class__.__name__


def test_color_tty(t, binary, top):
    """-c -g with stdout on a terminal: each chunk in its direction's colour.
    Skipped (with a line saying why) when no terminal can be opened; the
    other parts of the live test still run."""
    import tty
    log("== tcpflow -r CAPTURE -c -g on a terminal")
    pair, why = open_terminal()
    if pair is None:
        log("SKIP (this part only): -c -g on a terminal needs a pseudo-terminal, "
            "and none can be opened here: %s" % why)
        return False
    master, slave = pair
    sys.dont_write_bytecode = True
    sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
    import scenarios_console as sc
    cwd = os.path.join(top, "tty")
    os.makedirs(cwd)
    a = sc.text_conv(seed=40, interleave=True, client_len=900, server_len=1300)
    a.drop(1, 2)
    b = sc.text_conv(seed=41, handshake=False, client=("10.0.0.5", 5555),
                     server=("10.0.0.6", 99), client_len=400, server_len=300)

    class Ctx:
        def write(self, name, data):
            path = os.path.join(cwd, name)
            with open(path, "wb") as f:
                f.write(data)
            return path
    # One after the other: a connection picked up mid-stream (b) holds its
    # first bytes for a few packets (the reassembler's hold window), so
    # interleaved with another its chunks would print later than captured.
    path, packets = sc.capture(Ctx(), [a, b])
    want = sc.render(sc.console_events(packets), color=True)
    tty.setraw(slave)                 # no newline translation
    p = subprocess.Popen([binary, "-r", path, "-c", "-g"], cwd=cwd, stdin=subprocess.DEVNULL,
                         stdout=slave, stderr=subprocess.PIPE, start_new_session=True)
    os.close(slave)
    got = bytearray()
    deadline = time.monotonic() + 20
    import select
    while time.monotonic() < deadline:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                chunk = os.read(master, 65536)
            except OSError:           # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            got += chunk
        elif p.poll() is not None:
            break
    os.close(master)
    rc = stop(p, signal.SIGKILL, 5) if p.poll() is None else p.returncode
    t.check("-c -g on a terminal: exit 0", rc == 0, "exit %s" % rc)
    i = next((k for k in range(min(len(got), len(want))) if got[k] != want[k]),
             min(len(got), len(want)))
    t.check("-c -g on a terminal: blue client, red server, green unknown, reset per chunk",
            bytes(got) == want, "%d bytes, expected %d; first difference at %d: got %r, expected %r"
            % (len(got), len(want), i, bytes(got[i:i + 30]), want[i:i + 30]))
    return True


def test_no_such_interface(t, binary, top):
    log("== tcpflow -i <no such interface>")
    cwd = os.path.join(top, "noif")
    os.makedirs(cwd)
    name = "nosuchif%d" % os.getpid()
    name = name[:15]
    try:
        r = subprocess.run([binary, "-i", name, "-o", "OUT"], cwd=cwd, capture_output=True,
                           timeout=10, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        t.check("nonexistent interface: tcpflow exits", False, "still running after 10 s")
        return
    msg = r.stderr.decode("utf-8", "replace").strip()
    t.check("nonexistent interface: non-zero exit, no signal", 0 < r.returncode < 128,
            "exit %d" % r.returncode)
    t.check("nonexistent interface: the message names it", name in msg, msg[:300])
    words = ("no such", "not exist", "doesn't exist", "does not exist", "unknown", "not found")
    t.check("nonexistent interface: the message says why", any(w in msg.lower() for w in words),
            msg[:300])


def main():
    if len(sys.argv) < 2:
        print(__doc__, file=sys.stderr)
        return 99
    binary = os.path.abspath(sys.argv[1])
    srcdir = sys.argv[2] if len(sys.argv) > 2 else None
    if os.geteuid() != 0:
        log("SKIP: live capture test needs root (running as uid %d)" % os.geteuid())
        return SKIP
    try:
        raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
        raw.bind(("lo", 0))
        raw.close()
    except (OSError, AttributeError) as e:
        log("SKIP: cannot capture on lo here: raw packet socket on lo: %s" % e)
        return SKIP
    v6 = have_ipv6_lo()
    if not v6:
        log("note: no ::1 on lo, IPv6 connections left out")
    t = Test()
    top = tempfile.mkdtemp(prefix="tcpflow-live-")
    t0 = time.monotonic()
    try:
        test_no_such_interface(t, binary, top)
        test_color_tty(t, binary, top)
        test_files(t, binary, top, srcdir, v6)
        test_console(t, binary, top, v6)
        test_drop_privileges(t, binary, top)
    finally:
        if t.failures:
            log("files kept in %s" % top)
        else:
            shutil.rmtree(top, ignore_errors=True)
    log("%d failure(s), %.1f s" % (len(t.failures), time.monotonic() - t0))
    return FAIL if t.failures else 0


if __name__ == "__main__":
    sys.exit(main())
