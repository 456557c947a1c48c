"""Helpers of tests/proxy/proxy_test.py: the test server, the tcpflow proxy
process, a client exchange, and checks of what each end and each recorded
flow file holds."""
import json
import os
import random
import re
import signal
import socket
import struct
import subprocess
import threading
import time

_TCPFLOW = [None]


def tcpflow():
    return _TCPFLOW[0]


def set_tcpflow(path):
    _TCPFLOW[0] = path
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
        args = [tcpflow()]
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
        if getattr(self, "_index", None) is None:  # after stop(): the index is final
            self._index = self.flows()
        for record in self._index:
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


def send_and_drain(sock, data):
    """Sends `data`, half-closes, reads to the end and closes; returns what came back."""
    sock.sendall(data)
    sock.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            break
        got += chunk
    sock.close()
    return got


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
