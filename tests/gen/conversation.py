"""TCP conversations with known truth, and the expected tcpflow output.

A ``Conversation`` is one TCP connection built from a client byte stream and
a server byte stream: handshake, data cut at an MSS, ACKs, and a FIN, RST or
no close. Methods then damage it the way networks and capture points do:
reorder, duplicate, re-cut retransmissions, conflicting copies, drops, bad
checksums, keepalives, fragmentation, sequence jumps. Every packet remembers
which connection, direction and stream offset it carries, so the expected
output is derived from the construction, not from parsing the capture:

* ``expected_output(conversations, ...)`` replays the generated packets in
  capture order through the output rules of the spec (first copy wins,
  good checksums (TCP, and the IPv4 header's) beat bad ones, holes are zeros, ``-m`` splits, ``-b`` caps,
  ``%c`` counters per file name) and returns ``{filename: bytes}`` and
  ``{filename: mtime_ns}``.
* ``records(conversations, linktype, ...)`` frames the packets for a link
  type and returns ``pcapgen.Record`` objects for the writers.
"""

import ipaddress
import random

import pcapgen as pg
from pcapgen import ACK, FIN, PSH, RST, SYN

DEFAULT_START_NS = 1_700_000_000_000_000_000   # 2023-11-14T22:13:20Z
DEFAULT_STEP_NS = 1_000_000                    # one packet per millisecond
FRAG_STEP_NS = 10_000                          # between fragments of one datagram


class Seg:
    """One TCP packet of a conversation (before link framing)."""

    def __init__(self, conv, direction, kind, seq, ack, flags, payload=b"", off=None):
        self.conv = conv
        self.dir = direction          # 0: client->server, 1: server->client
        self.kind = kind              # syn synack ack data fin rst keepalive retrans
        self.seq = seq & 0xFFFFFFFF
        self.ack = ack & 0xFFFFFFFF
        self.flags = flags
        self.payload = payload
        self.off = off                # stream offset of payload[0] (sequence space)
        self.good = True              # TCP checksum correct
        self.ip_good = True           # IPv4 header checksum correct (in every fragment)
        self.frag = None              # fragmentation request, see Conversation.fragment
        self.tso = False              # IPv4 total length 0
        self.ts_ns = None             # first frame
        self.frames = []              # list of (ts_ns, l3 bytes)

    @property
    def is_data(self):
        return bool(self.payload) and self.kind != "keepalive"

    @property
    def last_ts(self):
        return self.frames[-1][0] if self.frames else self.ts_ns

    def copy(self, kind=None):
        s = Seg(self.conv, self.dir, kind or self.kind, self.seq, self.ack, self.flags,
                self.payload, self.off)
        s.good, s.frag, s.tso, s.ip_good = self.good, self.frag, self.tso, self.ip_good
        return s


def _addr_text(addr):
    ip = ipaddress.ip_address(addr)
    if ip.version == 4:
        return ".".join("%03d" % b for b in ip.packed)
    return ip.compressed


def base_name(src, sport, dst, dport, vlan=None):
    """tcpflow's default template %A.%a-%B.%b%V%v without the %C%c counter."""
    name = "%s.%05d-%s.%05d" % (_addr_text(src), sport, _addr_text(dst), dport)
    if vlan is not None:
        name += "--%d" % vlan
    return name


class Conversation:
    """One TCP connection.

    client, server: (ip, port). client_data, server_data: the byte streams.
    isn: (client ISN, server ISN). mss: payload bytes per segment (int or a
    (client, server) pair). handshake=False gives a midstream pickup; then
    skip=(c, s) leaves out the first c/s stream bytes of each side (whole
    segments). syn_data: how many client bytes ride on the SYN. close: "fin",
    "fin-noack" (no final ACK), "rst" (client RST) or "none".
    jump: {direction: (offset, nbytes)}: from stream offset ``offset`` on, the
    sender's sequence numbers are ``nbytes`` higher (bytes never sent).
    vlan_tags: list of pcapgen.vlan_tag(), outermost first.
    ipv6_ext: extension headers put in every IPv6 packet.
    ipv4_options: IPv4 options on every IPv4 packet.
    encap: pcapgen.Encap layers every datagram is wrapped in, outermost first.
    name_suffix: per direction, text tcpflow appends to the base name (the
    tunnel tag of a name that would collide with another tunnel's).
    """

    def __init__(self, client=("10.0.0.1", 40000), server=("10.0.0.2", 80),
                 client_data=b"", server_data=b"", isn=(1000, 5000), mss=1000,
                 handshake=True, skip=(0, 0), syn_data=0, close="fin", jump=None,
                 vlan_tags=(), ipv6_ext=(), ipv4_options=b"", tcp_timestamps=False,
                 interleave=False, encap=()):
        self.ends = (tuple(client), tuple(server))
        self.encap = list(encap)
        self.name_suffix = ["", ""]
        self.data = (bytes(client_data), bytes(server_data))
        self.isn = (isn[0] & 0xFFFFFFFF, isn[1] & 0xFFFFFFFF)
        self.mss = (mss, mss) if isinstance(mss, int) else tuple(mss)
        self.handshake = handshake
        self.vlan_tags = list(vlan_tags)
        self.ipv6_ext = list(ipv6_ext)
        self.ipv4_options = ipv4_options
        self.tcp_timestamps = tcp_timestamps
        self.jump = dict(jump or {})
        self.ident = [0x100, 0x200]
        self.version = pg.ip_version(client[0])
        assert self.version == pg.ip_version(server[0])
        self.pkts = []
        self._build(skip, syn_data, close, interleave)

    # -- construction -------------------------------------------------------
    def seq_of(self, d, off):
        """Sequence number (mod 2^32) of stream offset off of direction d."""
        at, n = self.jump.get(d, (None, 0))
        if at is not None and off >= at:
            off += n
        return (self.isn[d] + 1 + off) & 0xFFFFFFFF

    def seq_off(self, d, off):
        """Offset in sequence space (relative to ISN+1), jump included."""
        at, n = self.jump.get(d, (None, 0))
        return off + n if at is not None and off >= at else off

    def _cuts(self, d, start):
        data, mss = self.data[d], self.mss[d]
        at = self.jump.get(d, (None, 0))[0]
        cuts, off = [], start
        while off < len(data):
            end = min(off + mss, len(data))
            if at is not None and off < at < end:
                end = at
            cuts.append((off, end))
            off = end
        return cuts

    def _seg(self, d, kind, off, flags, payload=b""):
        """A packet of direction d at stream offset off, acking what d has received."""
        return Seg(self, d, kind, self.seq_of(d, off), self._ackno[d], flags, payload,
                   self.seq_off(d, off) if payload else None)

    def _build(self, skip, syn_data, close, interleave):
        c, s = 0, 1
        pk = self.pkts
        cstart = syn_data if self.handshake else skip[0]
        sstart = 0 if self.handshake else skip[1]
        self._sent = [cstart, sstart]                       # stream offset each side is at
        self._ackno = [self.seq_of(s, sstart), self.seq_of(c, cstart)]
        if self.handshake:
            pk.append(Seg(self, c, "syn", self.isn[c], 0, SYN, self.data[c][:syn_data],
                          0 if syn_data else None))
            pk.append(Seg(self, s, "synack", self.isn[s], self._ackno[s], SYN | ACK))
            pk.append(self._seg(c, "ack", cstart, ACK))
        ccuts, scuts = self._cuts(c, cstart), self._cuts(s, sstart)
        if interleave:
            order = []
            for i in range(max(len(ccuts), len(scuts))):
                if i < len(ccuts):
                    order.append((c, ccuts[i]))
                if i < len(scuts):
                    order.append((s, scuts[i]))
        else:
            order = [(c, x) for x in ccuts] + [(s, x) for x in scuts]
        count = [0, 0]
        for d, (a, b) in order:
            last = (ccuts if d == c else scuts)[-1] == (a, b)
            pk.append(self._seg(d, "data", a, ACK | (PSH if last else 0), self.data[d][a:b]))
            count[d] += 1
            self._sent[d] = b
            self._ackno[1 - d] = self.seq_of(d, b)
            if count[d] % 2 == 0 or last:
                pk.append(self._seg(1 - d, "ack", self._sent[1 - d], ACK))
        cend, send = self._sent
        if close in ("fin", "fin-noack"):
            pk.append(self._seg(c, "fin", cend, FIN | ACK))
            self._ackno[s] = (self.seq_of(c, cend) + 1) & 0xFFFFFFFF
            pk.append(self._seg(s, "fin", send, FIN | ACK))
            if close == "fin":
                self._ackno[c] = (self.seq_of(s, send) + 1) & 0xFFFFFFFF
                fa = self._seg(c, "ack", cend, ACK)
                fa.seq = (self.seq_of(c, cend) + 1) & 0xFFFFFFFF
                pk.append(fa)
        elif close == "rst":
            pk.append(self._seg(c, "rst", cend, RST | ACK))
        else:
            assert close == "none"

    # -- damage ---------------------------------------------------------------
    def data_segs(self, d):
        return [p for p in self.pkts if p.dir == d and p.kind in ("data", "syn") and p.payload]

    def _index(self, seg):
        return next(i for i, p in enumerate(self.pkts) if p is seg)

    def reorder(self, d, window=3, seed=1):
        """Permutes the data segments of direction d inside windows of
        ``window`` consecutive segments (never the identity)."""
        segs = [p for p in self.data_segs(d) if p.kind == "data"]
        positions = [self._index(p) for p in segs]
        rng = random.Random(seed)
        for w in range(0, len(segs), window):
            chunk = segs[w:w + window]
            if len(chunk) < 2:
                continue
            perm = chunk[:]
            rng.shuffle(perm)
            if perm == chunk:
                perm.reverse()
            for pos, p in zip(positions[w:w + window], perm):
                self.pkts[pos] = p

    def reverse(self, d):
        segs = [p for p in self.data_segs(d) if p.kind == "data"]
        positions = [self._index(p) for p in segs]
        for pos, p in zip(positions, reversed(segs)):
            self.pkts[pos] = p

    def _insert_after(self, anchor, seg, later=0):
        i = self._index(anchor) + 1 + later
        self.pkts.insert(min(i, len(self.pkts)), seg)
        return seg

    def duplicate(self, d, idx, later=2):
        """A plain retransmission of data segment idx, ``later`` packets on."""
        orig = self.data_segs(d)[idx]
        return self._insert_after(orig, orig.copy("retrans"), later)

    def retransmit(self, d, off, length, content=None, later=0, good=True):
        """A copy of stream bytes [off, off+length) of direction d (or other
        content of that length) inserted after the last packet that already
        carried any of those bytes. Returns the new Seg."""
        data = self.data[d]
        payload = data[off:off + length] if content is None else content
        assert len(payload) == length
        anchor = None
        lo, hi = self.seq_off(d, off), self.seq_off(d, off) + length
        for p in self.pkts:
            if p.dir == d and p.is_data and p.off < hi and p.off + len(p.payload) > lo:
                anchor = p
        assert anchor is not None, "retransmit of bytes never sent"
        s = Seg(self, d, "retrans", self.seq_of(d, off), anchor.ack, ACK, payload,
                self.seq_off(d, off))
        s.good = good
        return self._insert_after(anchor, s, later)

    def recut(self, d, idx):
        """An overlapping retransmission cut at different boundaries: the
        second half of segment idx plus the first half of segment idx+1."""
        a, b = self.data_segs(d)[idx], self.data_segs(d)[idx + 1]
        start = a.off + len(a.payload) // 2
        end = b.off + len(b.payload) // 2
        return self.retransmit(d, self._stream_off(d, start), end - start)

    def conflict(self, d, off, length, fill=b"X"):
        """A later copy of [off, off+length) with DIFFERENT bytes."""
        orig = self.data[d][off:off + length]
        content = bytes((fill[i % len(fill)] if fill[i % len(fill)] != orig[i]
                         else orig[i] ^ 0xFF) for i in range(length))
        return self.retransmit(d, off, length, content)

    def drop(self, d, idx):
        """Removes data segment idx: a permanent hole."""
        self.pkts.remove(self.data_segs(d)[idx])

    def bad_then_good(self, d, idx, later=2):
        """Segment idx first arrives corrupted with a bad checksum; a good
        copy follows ``later`` packets on."""
        orig = self.data_segs(d)[idx]
        good = orig.copy("retrans")
        orig.payload = bytes(b ^ 0x20 for b in orig.payload)
        orig.good = False
        return self._insert_after(orig, good, later)

    def ip_bad_then_good(self, d, idx, later=2):
        """Segment idx first arrives corrupted with a wrong IPv4 header
        checksum (its TCP checksum is right for the corrupted bytes); a good
        copy follows ``later`` packets on."""
        assert self.version == 4
        orig = self.data_segs(d)[idx]
        good = orig.copy("retrans")
        orig.payload = bytes(b ^ 0x20 for b in orig.payload)
        orig.ip_good = False
        return self._insert_after(orig, good, later)

    def ip_bad_after_good(self, d, idx, later=1):
        """A corrupted copy of segment idx (wrong IPv4 header checksum, TCP
        checksum right for its bytes) ``later`` packets after the good one."""
        assert self.version == 4
        orig = self.data_segs(d)[idx]
        bad = orig.copy("retrans")
        bad.payload = bytes(b ^ 0x20 for b in orig.payload)
        bad.ip_good = False
        return self._insert_after(orig, bad, later)

    def bad_checksum(self, d, idx):
        """Segment idx keeps its bytes but has a wrong checksum (only copy)."""
        self.data_segs(d)[idx].good = False

    def keepalive(self, d, byte=b"\0"):
        """A 1-byte keepalive probe at next-1 after direction d's last data."""
        last = max(self.data_segs(d), key=lambda p: p.off + len(p.payload))
        end = last.off + len(last.payload)
        s = Seg(self, d, "keepalive", (self.isn[d] + 1 + end - 1), last.ack, ACK, byte,
                end - 1)
        assert self.data[d][self._stream_off(d, end - 1)] != byte[0], \
            "keepalive byte must differ from the real byte"
        return self._insert_after(last, s, 1)

    def _stream_off(self, d, seqspace_off):
        at, n = self.jump.get(d, (None, 0))
        if at is not None and seqspace_off >= at + n:
            return seqspace_off - n
        return seqspace_off

    def syn_again(self, later_than_data_idx=0):
        """A retransmitted SYN (same ISN) after client data segment idx."""
        orig = self.pkts[0]
        assert orig.kind == "syn"
        anchor = self.data_segs(0)[later_than_data_idx + (1 if orig.payload else 0)]
        return self._insert_after(anchor, orig.copy("syn-again"))

    def fragment(self, d, idx, size=16, order="in", dup=(), overlap=0, corrupt_before=(),
                 corrupt_after=()):
        """Sends data segment idx as IP fragments of ``size`` bytes. order:
        "in", "reverse", "shuffle", or a list of fragment indices; dup: indices sent
        twice (at the end); overlap: bytes each fragment re-sends of the
        previous one. corrupt_before/corrupt_after (IPv4): fragment indices
        sent once more as a corrupted copy (payload flipped, wrong header
        checksum) just before / just after their good copy; the datagram's
        truth stays the good bytes (the good copy always arrives before the
        datagram is complete: keep a corrupted copy away from the last
        fragment sent)."""
        self.data_segs(d)[idx].frag = dict(size=size, order=order, dup=tuple(dup),
                                           overlap=overlap, corrupt_before=tuple(corrupt_before),
                                           corrupt_after=tuple(corrupt_after))

    def fragment_seg(self, seg, **kw):
        seg.frag = dict(size=kw.get("size", 16), order=kw.get("order", "in"),
                        dup=tuple(kw.get("dup", ())), overlap=kw.get("overlap", 0))

    def tso(self, d=None):
        """IPv4 total length 0 on data packets (of direction d, or both)."""
        for p in self.pkts:
            if p.payload and (d is None or p.dir == d):
                p.tso = True

    # -- output -----------------------------------------------------------------
    def finalize(self, start_ns=DEFAULT_START_NS, step_ns=DEFAULT_STEP_NS):
        """Assigns timestamps and builds the IP datagrams (and fragments)."""
        ts = start_ns
        for p in self.pkts:
            p.ts_ns = ts
            p.frames = [(ts + j * FRAG_STEP_NS, l3) for j, l3 in enumerate(self._l3(p))]
            ts += step_ns
        return self

    def _tcp_bytes(self, p):
        src, dst = self.ends[p.dir], self.ends[1 - p.dir]
        opts = b""
        if p.kind in ("syn", "synack", "syn-again"):
            opts = pg.tcp_options(mss=self.mss[p.dir] if self.mss[p.dir] < 65536 else 1460,
                                  sack_ok=True, wscale=7)
        elif self.tcp_timestamps:
            opts = pg.tcp_options(timestamps=(p.seq ^ 0x5555, p.ack ^ 0x3333))
        return pg.tcp(src[0], dst[0], src[1], dst[1], p.seq, p.ack, p.flags, p.payload,
                      options=opts, bad_checksum=not p.good)

    def _l3(self, p):
        """The datagrams that carry p: its own, each wrapped in self.encap."""
        out = self._inner_l3(p)
        for layer in reversed(self.encap):
            out = [outer for l3 in out for outer in layer.wrap(l3, p.dir)]
        return out

    def _inner_l3(self, p):
        src, dst = self.ends[p.dir][0], self.ends[1 - p.dir][0]
        seg = self._tcp_bytes(p)
        ident = self.ident[p.dir]
        self.ident[p.dir] += 1
        if self.version == 4:
            if p.frag:
                frags = pg.ipv4_fragments(src, dst, seg, ident=ident, frag_size=p.frag["size"],
                                          overlap=p.frag["overlap"], options=self.ipv4_options)
            else:
                l3 = pg.ipv4(src, dst, seg, ident=ident, options=self.ipv4_options,
                             total_length=0 if p.tso else None)
                return [l3 if p.ip_good else pg.bad_header_checksum(l3)]
            if not p.ip_good:
                frags = [pg.bad_header_checksum(f) for f in frags]
        else:
            if p.frag:
                unfrag = [e for e in self.ipv6_ext if e[0] in (pg.IPV6_HOPOPTS, pg.IPV6_ROUTING)]
                fext = [e for e in self.ipv6_ext if e[0] not in (pg.IPV6_HOPOPTS, pg.IPV6_ROUTING)]
                frags = pg.ipv6_fragments(src, dst, seg, ident=0x10000 + ident,
                                          frag_size=p.frag["size"], overlap=p.frag["overlap"],
                                          unfrag_ext=unfrag, frag_ext=fext)
            else:
                return [pg.ipv6(src, dst, seg, ext=self.ipv6_ext)]
        order = p.frag["order"]
        if order == "in":
            idx = list(range(len(frags)))
        elif order == "reverse":
            idx = list(reversed(range(len(frags))))
        elif order == "shuffle":
            idx = list(range(len(frags)))
            random.Random(len(frags) * 7919 + ident).shuffle(idx)
            if idx == sorted(idx) and len(idx) > 1:
                idx.reverse()
        else:
            idx = list(order)
            assert sorted(idx) == list(range(len(frags))), "order must be a permutation"
        idx += list(p.frag["dup"])
        out = []
        for i in idx:
            if i in p.frag.get("corrupt_before", ()):
                out.append(pg.corrupt_ipv4(frags[i]))
            out.append(frags[i])
            if i in p.frag.get("corrupt_after", ()):
                out.append(pg.corrupt_ipv4(frags[i]))
        return out

    def vlan(self):
        """The VLAN id tcpflow names the flow with (outermost tag), or None."""
        return (self.vlan_tags[0][1] & 0xFFF) if self.vlan_tags else None

    def name(self, d):
        src, dst = self.ends[d], self.ends[1 - d]
        return base_name(src[0], src[1], dst[0], dst[1], self.vlan()) + self.name_suffix[d]


# ---------------------------------------------------------------------------
def merge(conversations):
    """All packets of the (finalized) conversations in capture order
    (by first-frame timestamp; ties keep the list order)."""
    allp = [p for c in conversations for p in c.pkts]
    return sorted(allp, key=lambda p: p.ts_ns)


def records(packets, linktype=pg.LINKTYPE_ETHERNET, iface=0, **frame_kw):
    """Link-layer records for the packets, frames in timestamp order."""
    out = []
    for p in packets:
        for ts, l3 in p.frames:
            kw = dict(frame_kw)
            assert linktype == pg.LINKTYPE_ETHERNET or not p.conv.vlan_tags
            if linktype == pg.LINKTYPE_ETHERNET:
                kw.setdefault("vlan_tags", p.conv.vlan_tags)
                mac = "02:00:00:00:00:%02x" % (1 + p.dir)
                kw.setdefault("src_mac", mac)
                kw.setdefault("dst_mac", "02:00:00:00:00:%02x" % (2 - p.dir))
            out.append(pg.Record(ts, linktype, pg.frame(linktype, l3, **kw), iface=iface))
    out.sort(key=lambda r: r.ts_ns)
    return out


class _File:
    def __init__(self, name, created, base):
        self.name = name
        self.created = created      # global packet index of the first data
        self.base = base            # sequence-space offset of file byte 0 (None: lowest seen)
        self.segs = []
        self.last_ts = 0


def expected_output(packets, overlap="first", max_seek=16 << 20, max_bytes=None):
    """Expected tcpflow output for these packets (capture order).

    Returns (files, mtimes): {filename: bytes}, {filename: mtime_ns}."""
    state = {}      # (conv id, dir) -> list of _File
    syn_seen = {}
    for gi, p in enumerate(packets):
        key = (id(p.conv), p.dir)
        files = state.setdefault(key, [])
        if p.kind in ("syn", "synack"):
            syn_seen[key] = True
        if p.is_data:
            cur = files[-1] if files else None
            if cur is not None:
                hi = max(s.off + len(s.payload) for s in cur.segs)
                if p.off - hi >= max_seek:
                    cur = None
            if cur is None:
                first = not files
                base = 0 if (first and syn_seen.get(key)) else (None if first else p.off)
                cur = _File(p.conv.name(p.dir), gi, base)
                files.append(cur)
            cur.segs.append(p)
        if files:
            files[-1].last_ts = max(files[-1].last_ts, p.last_ts)
    all_files = sorted((f for fl in state.values() for f in fl), key=lambda f: f.created)
    counts, out, mtimes = {}, {}, {}
    for f in all_files:
        n = counts.get(f.name, 0)
        counts[f.name] = n + 1
        name = f.name + ("c%d" % n if n else "")
        out[name] = _resolve(f, overlap, max_bytes)
        mtimes[name] = f.last_ts
    return out, mtimes


def _resolve(f, overlap, max_bytes):
    base = f.base
    if base is None:
        base = min(s.off for s in f.segs)
        conv, d = f.segs[0].conv, f.segs[0].dir
        for p in conv.pkts:   # refuse ambiguous midstream constructions
            rel = (p.seq - conv.isn[d] - 1) & 0xFFFFFFFF
            if p.dir == d and rel < base:
                raise ValueError("%s: a packet below the lowest data sequence number "
                                 "makes byte 0 ambiguous" % f.name)
    end = max(s.off + len(s.payload) for s in f.segs)
    buf = bytearray(end - base)
    rank = bytearray(end - base)     # 0 nothing, 1 bad checksum, 2 good
    for s in f.segs:
        g = 2 if s.good and s.ip_good else 1
        lo = s.off - base
        hi = lo + len(s.payload)
        if lo < 0:
            raise ValueError("segment before byte 0 in %s" % f.name)
        if not any(rank[lo:hi]):
            buf[lo:hi] = s.payload
            rank[lo:hi] = bytes([g]) * (hi - lo)
            continue
        for i in range(lo, hi):
            r = rank[i]
            if r < g or (r == g and overlap == "last"):
                buf[i] = s.payload[i - lo]
                rank[i] = g
    data = bytes(buf)
    if max_bytes is not None:
        data = data[:max_bytes]
    return data
