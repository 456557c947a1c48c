#!/usr/bin/env python3
"""End-to-end tests of tcpflow --proxy against a real local server.

Each case starts the server (127.0.0.1 or ::1), a tcpflow proxy in front of
it, and clients; it checks that each end received exactly what the other
sent and that the recorded flow files hold exactly the bytes that passed.
Usage: proxy_test.py TCPFLOW [-k NAME]
"""
import hashlib
import json
import os
import random
import re
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

TCPFLOW = None
HEADER = struct.Struct("!QQB")  # connection tag, reply length, server mode
MODE_NORMAL, MODE_AFTER_EOF, MODE_RESET_AFTER_ACK, MODE_ACK_THEN_EXPECT_RESET, MODE_SLOW = range(5)


def payload(seed, length):
    return random.Random(seed).randbytes(length)


class Server:
    """Reads a header, then the client's bytes until EOF while it sends the
    reply the header asks for; keeps what each connection received."""

    def __init__(self, host):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.sock = socket.socket(family, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.received = {}
        self.errors = {}
        self.accepted = 0
        self.lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with self.lock:
                self.accepted += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn):
        data = bytearray()
        tag = None
        try:
            while len(data) < HEADER.size:
                chunk = conn.recv(65536)
                if not chunk:
                    return
                data += chunk
            tag, reply_len, mode = HEADER.unpack(bytes(data[:HEADER.size]))
            reply = payload(tag * 7 + 1, reply_len)
            if mode == MODE_SLOW:
                time.sleep(2.0)  # a slow reader: the proxy must hold back the client
            sender = None
            if mode in (MODE_NORMAL, MODE_SLOW):
                sender = threading.Thread(target=conn.sendall, args=(reply,))
                sender.start()
            if mode == MODE_RESET_AFTER_ACK:
                conn.sendall(reply)
                while True:  # the client's one-byte ack: everything passed
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                    if data.endswith(b"!"):
                        break
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if mode == MODE_ACK_THEN_EXPECT_RESET:
                want = HEADER.size + reply_len  # the client sends reply_len bytes after the header
                while len(data) < want:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                conn.sendall(b"!")
                try:
                    while conn.recv(65536):
                        pass
                except ConnectionResetError:
                    with self.lock:
                        self.errors[tag] = "reset"
                return
            while True:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                data += chunk
            if mode == MODE_AFTER_EOF:
                conn.sendall(reply)  # the client's FIN came through; its read side is open
            if sender:
                sender.join()
        except OSError as error:
            with self.lock:
                self.errors[tag] = str(error)
        finally:
            if tag is not None:
                with self.lock:
                    self.received[tag] = bytes(data)
            conn.close()

    def close(self):
        self.sock.close()


class Proxy:
    def __init__(self, workdir, routes, extra=()):
        self.out = os.path.join(workdir, "out")
        args = [TCPFLOW]
        for listen, target in routes:
            args += ["--proxy", listen, "--proxy-to", target]
        args += ["-o", self.out, "-S", "jsonl=" + os.path.join(self.out, "flows.jsonl")]
        args += list(extra)
        self.stderr_path = os.path.join(workdir, "stderr.txt")
        self.stderr_file = open(self.stderr_path, "w+")
        self.process = subprocess.Popen(args, stderr=self.stderr_file, stdout=subprocess.DEVNULL)
        self.ports = []
        deadline = time.time() + 10
        while len(self.ports) < len(routes) and time.time() < deadline:
            self.ports = [int(p) for p in re.findall(r"proxy listening on .*:(\d+),", self.stderr())]
            if self.process.poll() is not None:
                raise AssertionError("tcpflow ended: " + self.stderr())
            time.sleep(0.02)
        assert len(self.ports) >= len(routes), self.stderr()

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self, timeout=30):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        rc = self.process.wait(timeout)
        self.stderr_file.close()
        return rc

    def flows(self):
        records = []
        with open(os.path.join(self.out, "flows.jsonl")) as f:
            for line in f:
                record = json.loads(line)
                if record.get("record") != "connection":
                    records.append(record)
        return records

    def recorded(self, client_port, direction):
        """The recorded file of the client (direction 'client') or server side."""
        for record in self.flows():
            port = record["src_port"] if direction == "client" else record["dst_port"]
            if record["direction"] == direction and port == client_port:
                if not record["filename"]:
                    return None
                with open(os.path.join(self.out, record["filename"]), "rb") as f:
                    return f.read()
        return None


def client_exchange(host, port, tag, sent_len, reply_len, mode=MODE_NORMAL, small_writes=False):
    """Returns (local port, bytes sent, bytes received)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.connect((host, port))
    local_port = sock.getsockname()[1]
    sent = HEADER.pack(tag, reply_len, mode) + payload(tag, sent_len)

    def send_all():
        if small_writes:
            rng = random.Random(tag)
            pos = 0
            while pos < len(sent):
                step = rng.randint(1, 50)
                sock.sendall(sent[pos:pos + step])
                pos += step
        else:
            sock.sendall(sent)
        sock.shutdown(socket.SHUT_WR)

    sender = threading.Thread(target=send_all)
    sender.start()
    received = bytearray()
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            break
        received += chunk
    sender.join()
    sock.close()
    return local_port, sent, bytes(received)


def check_exchange(proxy, server, tag, local_port, sent, received, reply_len):
    expected_reply = payload(tag * 7 + 1, reply_len)
    assert received == expected_reply, f"client got {len(received)} bytes, not the {reply_len} sent"
    assert server.received.get(tag) == sent, f"server got {len(server.received.get(tag, b''))} of {len(sent)}"
    return (local_port, sent, expected_reply)


def check_recorded(proxy, expectations):
    for local_port, sent, reply in expectations:
        got = proxy.recorded(local_port, "client")
        assert got == sent, f"client flow file of port {local_port}: {None if got is None else len(got)} bytes, expected {len(sent)}"
        if reply:
            got = proxy.recorded(local_port, "server")
            assert got == reply, f"server flow file of port {local_port} differs"


def wait_for(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def case_payloads_both_families(work):
    """1 byte to 16 MiB each way, over 127.0.0.1 and ::1, two listeners in one process."""
    v4, v6 = Server("127.0.0.1"), Server("::1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{v4.port}"), ("[::1]:0", f"[::1]:{v6.port}")])
    expectations = []
    sizes = [(1, 1), (0, 5000), (70001, 3), (16 << 20, 1 << 20), (2 << 20, 16 << 20)]
    tag = 100
    for host, server, port in (("127.0.0.1", v4, proxy.ports[0]), ("::1", v6, proxy.ports[1])):
        for sent_len, reply_len in sizes:
            tag += 1
            local, sent, received = client_exchange(host, port, tag, sent_len, reply_len)
            expectations.append(check_exchange(proxy, server, tag, local, sent, received, reply_len))
    assert proxy.stop() == 0, proxy.stderr()
    check_recorded(proxy, expectations)
    families = {r["family"] for r in proxy.flows()}
    assert families == {"ipv4", "ipv6"}, families
    with open(os.path.join(proxy.out, "report.xml")) as f:
        report = f.read()
    assert report.rstrip().endswith("</dfxml>"), "report.xml is not complete"
    assert report.count("<fileobject") == 2 * len(expectations), report.count("<fileobject")


def case_small_writes_and_half_close(work):
    """Many small writes; the server answers only after the client's FIN."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")])
    local, sent, received = client_exchange("127.0.0.1", proxy.ports[0], 7, 60000, 30000,
                                            mode=MODE_NORMAL, small_writes=True)
    first = check_exchange(proxy, server, 7, local, sent, received, 30000)
    local, sent, received = client_exchange("127.0.0.1", proxy.ports[0], 8, 5000, 200000,
                                            mode=MODE_AFTER_EOF)
    second = check_exchange(proxy, server, 8, local, sent, received, 200000)
    assert proxy.stop() == 0
    check_recorded(proxy, [first, second])


def case_resets_forwarded(work):
    """A reset by the server reaches the client as a reset, and the other way."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    local = sock.getsockname()[1]
    header = HEADER.pack(21, 1000, MODE_RESET_AFTER_ACK)
    sock.sendall(header)
    reply = b""
    while len(reply) < 1000:
        reply += sock.recv(65536)
    sock.sendall(b"!")
    try:
        extra = sock.recv(10)
        raise AssertionError(f"expected a reset, got {extra!r}")
    except ConnectionResetError:
        pass
    sock.close()
    assert reply == payload(21 * 7 + 1, 1000)
    # The client resets.
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    local2 = sock.getsockname()[1]
    body = payload(22, 3000)
    sock.sendall(HEADER.pack(22, 3000, MODE_ACK_THEN_EXPECT_RESET) + body)
    assert sock.recv(1) == b"!"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
    assert wait_for(lambda: server.errors.get(22) == "reset", 5), server.errors
    assert proxy.stop() == 0
    check_recorded(proxy, [(local, header + b"!", payload(21 * 7 + 1, 1000)),
                           (local2, HEADER.pack(22, 3000, MODE_ACK_THEN_EXPECT_RESET) + body, b"!")])
    reasons = {r["close_reason"] for r in proxy.flows()}
    assert "rst" in reasons, reasons


def case_500_concurrent(work):
    """500 connections at once through one proxy process."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 8192), hard))
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")])
    results = {}
    start = threading.Barrier(500)

    def one(tag):
        start.wait()
        results[tag] = client_exchange("127.0.0.1", proxy.ports[0], tag, 3000 + tag, 2000 + tag)

    threads = [threading.Thread(target=one, args=(1000 + i,)) for i in range(500)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 500, len(results)
    expectations = [check_exchange(proxy, server, tag, *results[tag], 2000 + tag) for tag in results]
    assert proxy.stop() == 0
    check_recorded(proxy, expectations)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def case_slow_reader_bounded(work):
    """The server does not read for 2 s: the proxy holds at most its buffer."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")], ["-S", "proxy_buffer=65536"])
    before = rss_kib(proxy.process.pid)
    peak = [before]
    done = threading.Event()

    def watch():
        while not done.is_set():
            peak[0] = max(peak[0], rss_kib(proxy.process.pid))
            time.sleep(0.05)

    watcher = threading.Thread(target=watch)
    watcher.start()
    local, sent, received = client_exchange("127.0.0.1", proxy.ports[0], 31, 96 << 20, 10, MODE_SLOW)
    done.set()
    watcher.join()
    expectation = check_exchange(proxy, server, 31, local, sent, received, 10)
    growth_mib = (peak[0] - before) / 1024
    # 96 MiB passed; the proxy may hold its 64 KiB buffer, read scratch and file
    # write buffers, never the stream.
    assert growth_mib < 40, f"proxy RSS grew {growth_mib:.1f} MiB"
    assert proxy.stop() == 0
    check_recorded(proxy, [expectation])


def case_refused_client(work):
    """--proxy-allow: a client outside the rules is closed at once and logged."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")],
                  ["--proxy-allow", "10.0.0.0/8", "--proxy-allow", "::1"])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    sock.settimeout(5)
    started = time.time()
    try:
        data = sock.recv(10)
        assert data == b"", data
    except ConnectionResetError:
        pass
    assert time.time() - started < 2
    sock.close()
    assert wait_for(lambda: "refused" in proxy.stderr(), 3), proxy.stderr()
    assert proxy.stop() == 0
    assert server.accepted == 0
    assert proxy.flows() == []


def case_dead_destination(work):
    """Nothing listens at the destination: the client is closed at once, the error logged."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    dead_port = probe.getsockname()[1]
    probe.close()
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{dead_port}")])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    sock.settimeout(5)
    started = time.time()
    try:
        data = sock.recv(10)
        assert data == b"", data
    except ConnectionResetError:
        pass
    assert time.time() - started < 2
    assert wait_for(lambda: "cannot connect" in proxy.stderr(), 3), proxy.stderr()
    assert "refused" in proxy.stderr().lower(), proxy.stderr()
    assert proxy.stop() == 0


def case_sigterm_mid_transfer(work):
    """SIGTERM: no new clients, the open transfer finishes within the grace period."""
    server = Server("127.0.0.1")
    pidfile = os.path.join(work, "tcpflow.pid")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")],
                  ["-S", "proxy_grace=20", "--pidfile", pidfile])
    assert wait_for(lambda: os.path.exists(pidfile), 3)
    with open(pidfile) as f:
        assert int(f.read()) == proxy.process.pid
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    local = sock.getsockname()[1]
    body = payload(41, 400000)
    sent = HEADER.pack(41, 300000, MODE_NORMAL) + body
    sock.sendall(sent[:1000])
    time.sleep(0.2)
    proxy.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    refused = socket.socket()
    try:
        refused.connect(("127.0.0.1", proxy.ports[0]))
        raise AssertionError("the proxy still accepts after SIGTERM")
    except ConnectionRefusedError:
        pass
    for pos in range(1000, len(sent), 50000):
        sock.sendall(sent[pos:pos + 50000])
        time.sleep(0.05)
    sock.shutdown(socket.SHUT_WR)
    received = bytearray()
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        received += chunk
    expectation = check_exchange(proxy, server, 41, local, sent, bytes(received), 300000)
    assert proxy.process.wait(10) == 0
    proxy.stderr_file.close()
    assert not os.path.exists(pidfile)
    check_recorded(proxy, [expectation])


def case_grace_runs_out(work):
    """An idle connection past the grace period is closed; files and report complete."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")], ["-S", "proxy_grace=0.5"])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    local = sock.getsockname()[1]
    sent = HEADER.pack(51, 0, MODE_NORMAL) + b"partial request"
    sock.sendall(sent)
    assert wait_for(lambda: server.accepted == 1, 3)
    time.sleep(0.2)
    started = time.time()
    proxy.process.send_signal(signal.SIGTERM)
    assert proxy.process.wait(10) == 0
    assert time.time() - started < 3
    proxy.stderr_file.close()
    assert proxy.recorded(local, "client") == sent
    with open(os.path.join(proxy.out, "report.xml")) as f:
        assert f.read().rstrip().endswith("</dfxml>")
    sock.close()


def case_record_one_side_and_printable(work):
    """--proxy-record client keeps only the client's bytes; printable_only filters them."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")],
                  ["--proxy-record", "client", "-S", "printable_only=YES"])
    local, sent, received = client_exchange("127.0.0.1", proxy.ports[0], 61, 5000, 5000)
    check_exchange(proxy, server, 61, local, sent, received, 5000)
    assert proxy.stop() == 0
    printable = bytearray()
    in_run = False
    for byte in sent:
        if byte in (9, 10, 13, 32) or 33 <= byte <= 126:
            printable.append(byte)
            in_run = False
        elif not in_run:
            printable.append(32)
            in_run = True
    assert proxy.recorded(local, "client") == bytes(printable)
    assert proxy.recorded(local, "server") is None  # reported, not stored
    servers = [r for r in proxy.flows() if r["direction"] == "server"]
    assert len(servers) == 1 and servers[0]["filename"] == "", servers


def case_idle_timeout(work):
    """-S proxy_idle_timeout closes a silent connection."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")], ["-S", "proxy_idle_timeout=1"])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    sock.sendall(HEADER.pack(71, 0, MODE_NORMAL))
    sock.settimeout(5)
    started = time.time()
    try:
        assert sock.recv(10) == b""
    except ConnectionResetError:
        pass
    assert 0.9 < time.time() - started < 3.5
    assert proxy.stop() == 0
    assert [r["close_reason"] for r in proxy.flows()] == ["timeout"]


def case_usage_errors(work):
    for args, message in ((["--proxy", "8080"], "--proxy-to"),
                          (["--proxy", "::1:80", "--proxy-to", "h:1"], "[HOST:]PORT"),
                          (["--proxy", "80", "--proxy-to", "h:1", "-r", "x.pcap"], "reads no capture"),
                          (["--proxy", "80", "--proxy-to", "h:1", "--proxy-record", "all"], "--proxy-record"),
                          (["--proxy", "80", "--proxy-to", "h:1", "--proxy-allow", "1.2.3.4/40"], "--proxy-allow")):
        done = subprocess.run([TCPFLOW] + args + ["-o", os.path.join(work, "o")], capture_output=True, text=True, timeout=10)
        assert done.returncode == 2, (args, done.returncode, done.stderr)
        assert message in done.stderr, (args, done.stderr)


def case_read_times_and_md5(work):
    """The report lists each read's offset and time; -e md5 hashes the recorded bytes."""
    import xml.etree.ElementTree as ET
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{server.port}")], ["-e", "md5"])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    local = sock.getsockname()[1]
    parts = [HEADER.pack(81, 10, MODE_AFTER_EOF), b"first", b"second!"]
    times = []
    for part in parts:
        times.append(time.time())
        sock.sendall(part)
        time.sleep(0.15)  # separate reads at the proxy
    sock.shutdown(socket.SHUT_WR)
    while sock.recv(65536):
        pass
    sock.close()
    assert proxy.stop() == 0
    sent = b"".join(parts)
    assert proxy.recorded(local, "client") == sent
    ns = {"d": "http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML",
          "t": "http://github.com/simsong/tcpflow"}
    root = ET.parse(os.path.join(proxy.out, "report.xml")).getroot()
    found = False
    for fo in root.iter():
        if not fo.tag.endswith("fileobject"):
            continue
        flow = [e for e in fo.iter() if e.tag.endswith("}flow")][0]
        if flow.get("direction") != "client" or int(flow.get("src_port")) != local:
            continue
        found = True
        reads = [e for e in fo.iter() if e.tag.endswith("}read")]
        assert [int(r.get("offset")) for r in reads] == [0, len(parts[0]), len(parts[0]) + len(parts[1])], \
            [r.attrib for r in reads]
        assert [int(r.get("length")) for r in reads] == [len(p) for p in parts]
        stamps = [r.get("time") for r in reads]
        assert stamps == sorted(stamps), stamps
        digests = [e.text for e in fo.iter() if e.tag.endswith("hashdigest")]
        assert hashlib.md5(sent).hexdigest() in digests, digests
    assert found
    # -S proxy_times=NO: no times listed.
    server2 = Server("127.0.0.1")
    work2 = os.path.join(work, "second")
    os.mkdir(work2)
    quiet = Proxy(work2, [("127.0.0.1:0", f"127.0.0.1:{server2.port}")], ["-S", "proxy_times=NO"])
    client_exchange("127.0.0.1", quiet.ports[0], 82, 100, 100)
    assert quiet.stop() == 0
    with open(os.path.join(quiet.out, "report.xml")) as f:
        text = f.read()
    assert "<tcpflow:flow" in text and "tcpflow:reads" not in text


def case_all_addresses_and_named_destination(work):
    """--proxy PORT listens on IPv4 and IPv6; --proxy-to localhost tries each address."""
    server = Server("127.0.0.1")
    proxy = Proxy(work, [("0", f"localhost:{server.port}")])
    expectations = []
    for tag, host in ((91, "127.0.0.1"), (92, "::1")):
        local, sent, received = client_exchange(host, proxy.ports[0], tag, 1234, 4321)
        expectations.append(check_exchange(proxy, server, tag, local, sent, received, 4321))
    assert proxy.stop() == 0
    check_recorded(proxy, expectations)
    clients = sorted((r["src_ip"], r["dst_ip"], r["dst_port"]) for r in proxy.flows()
                     if r["direction"] == "client")
    assert clients == [("127.0.0.1", "127.0.0.1", server.port), ("::1", "127.0.0.1", server.port)], clients


def case_http_scanner(work):
    """-e http over proxied flows: the body the client got is extracted."""
    import http.server
    body = payload(99, 3000)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    proxy = Proxy(work, [("127.0.0.1:0", f"127.0.0.1:{httpd.server_address[1]}")], ["-e", "http"])
    sock = socket.create_connection(("127.0.0.1", proxy.ports[0]))
    sock.sendall(b"GET /x HTTP/1.0\r\nHost: test\r\n\r\n")
    got = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    sock.close()
    httpd.shutdown()
    assert got.endswith(body)
    assert proxy.stop() == 0
    bodies = [f for f in os.listdir(proxy.out) if "HTTPBODY" in f]
    assert len(bodies) == 1, os.listdir(proxy.out)
    with open(os.path.join(proxy.out, bodies[0]), "rb") as f:
        assert f.read() == body


CASES = [(name[5:], fn) for name, fn in sorted(globals().items()) if name.startswith("case_")]


def main():
    global TCPFLOW
    TCPFLOW = os.path.abspath(sys.argv[1])
    only = sys.argv[sys.argv.index("-k") + 1] if "-k" in sys.argv else None
    failures = 0
    for name, fn in CASES:
        if only and only not in name:
            continue
        work = tempfile.mkdtemp(prefix="tcpflow-proxy-", dir="/tmp")
        started = time.time()
        try:
            fn(work)
            print(f"PASS {name} ({time.time() - started:.1f} s)", flush=True)
        except Exception as error:  # one failing case must not hide the others
            failures += 1
            print(f"FAIL {name}: {type(error).__name__}: {error}", flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
