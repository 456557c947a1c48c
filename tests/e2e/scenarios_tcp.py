"""TCP reassembly: ordering, copies, holes, sequence space, connections."""

from e2e_lib import conv, cv, pg, scenario, single, stream

A, B = ("10.1.1.1", 34567), ("10.2.2.2", 8080)


@scenario("tcp-in-order-timestamps-option")
def _(ctx):
    return single(ctx, [conv(3000, 7000, tcp_timestamps=True)])


@scenario("tcp-interleaved-directions")
def _(ctx):
    return single(ctx, [conv(4000, 4000, interleave=True)])


@scenario("tcp-reorder")
def _(ctx):
    c = conv(5000, 8000)
    c.reorder(0, window=3, seed=1)
    c.reorder(1, window=5, seed=2)
    return single(ctx, [c])


@scenario("tcp-reverse")
def _(ctx):
    c = conv(3000, 4000)
    c.reverse(0)
    c.reverse(1)
    return single(ctx, [c])


@scenario("tcp-duplicates")
def _(ctx):
    c = conv(3000, 4000)
    c.duplicate(0, 1)
    c.duplicate(0, 5, later=0)
    c.duplicate(1, 2, later=4)
    return single(ctx, [c])


@scenario("tcp-recut-retransmission")
def _(ctx):
    c = conv(3000, 4000)
    c.recut(0, 1)
    c.recut(1, 3)
    c.retransmit(1, 100, 1700, later=1)   # one big copy over several segments
    return single(ctx, [c])


def _conflicted():
    c = conv(3000, 4000)
    c.conflict(0, 700, 600)               # spans a segment boundary
    c.conflict(1, 1000, 10, fill=b"\x00")
    c.reorder(1, window=2, seed=3)
    return c


@scenario("tcp-conflict-first-wins")
def _(ctx):
    return single(ctx, [_conflicted()], note="truth keeps the first copy")


@scenario("tcp-conflict-overlap-last")
def _(ctx):
    return single(ctx, [_conflicted()], args=["--overlap=last"],
                  truth_kw=dict(overlap="last"))


@scenario("tcp-hole")
def _(ctx):
    c = conv(3000, 4000)
    c.drop(0, 2)                          # bytes 1000-1499 never seen: zeros
    c.drop(1, 7)                          # the server's last segment: file ends early
    return single(ctx, [c])


@scenario("tcp-keepalive")
def _(ctx):
    c = conv(3000, 4000)
    c.keepalive(0)
    c.keepalive(1, byte=b"\xff" if c.data[1][-1] != 0xFF else b"\x01")
    return single(ctx, [c], note="1-byte probes at next-1 add nothing")


@scenario("tcp-isn-wrap")
def _(ctx):
    c = conv(5000, 6000, isn=(0xFFFFFFFF - 1700, 0xFFFFF000))
    c.reorder(0, window=4, seed=5)
    return single(ctx, [c], note="sequence numbers wrap mid-stream")


@scenario("tcp-isn-zero-and-max")
def _(ctx):
    a = conv(2000, 2000, isn=(0xFFFFFFFF, 0), client=A, server=B)
    return single(ctx, [a], note="ISN+1 wraps to 0 right away")


@scenario("tcp-data-on-syn")
def _(ctx):
    return single(ctx, [conv(3000, 2000, syn_data=120)])


@scenario("tcp-midstream")
def _(ctx):
    c = conv(4000, 5000, handshake=False, skip=(1000, 1500))
    return single(ctx, [c], note="no handshake: lowest sequence number is byte 0")


@scenario("tcp-midstream-reordered")
def _(ctx):
    c = conv(4000, 5000, handshake=False, skip=(500, 0))
    c.reverse(0)
    c.reorder(1, window=3, seed=9)
    return single(ctx, [c], note="the first segment seen is not the lowest")


@scenario("tcp-syn-retransmitted-after-data")
def _(ctx):
    c = conv(3000, 3000)
    c.syn_again(1)
    return single(ctx, [c], note="same ISN: not a new connection")


@scenario("tcp-syn-new-isn-while-open")
def _(ctx):
    a = conv(2000, 1500, seed=1, close="none", isn=(100000, 200000), client=A, server=B)
    b = conv(1000, 2500, seed=2, isn=(100000 + 0x80000000, 7777), client=A, server=B)
    return single(ctx, [a, b], note="a clearly different ISN starts a new connection")


@scenario("tcp-port-reuse")
def _(ctx):
    a = conv(1000, 0, seed=1, isn=(1000, 2000), client=A, server=B)
    b = conv(1500, 2000, seed=2, isn=(50000, 60000), client=A, server=B)
    c = conv(700, 900, seed=3, isn=(900000, 800000), client=A, server=B, close="rst")
    d = conv(300, 400, seed=4, isn=(5, 6), client=A, server=B)
    return single(ctx, [a, b, c, d],
                  note="c1/c2/c3 per file name; the server's first file comes from the "
                       "2nd connection")


@scenario("tcp-port-reuse-rst")
def _(ctx):
    a = conv(2000, 1000, seed=5, close="rst", client=A, server=B, isn=(10, 20))
    b = conv(2000, 1000, seed=6, client=A, server=B, isn=(10, 20))
    return single(ctx, [a, b], note="even the same ISN after an RST is a new connection")


@scenario("tcp-close-none-and-fin-noack")
def _(ctx):
    a = conv(2000, 2000, seed=1, close="none")
    b = conv(2000, 2000, seed=2, close="fin-noack", client=A, server=B)
    return single(ctx, [a, b])


@scenario("tcp-bad-checksum-then-good")
def _(ctx):
    c = conv(3000, 4000)
    c.bad_then_good(0, 1)
    c.bad_then_good(1, 4, later=0)
    return single(ctx, [c], note="corrupted copy with a bad checksum first")


@scenario("tcp-bad-checksum-only-copy")
def _(ctx):
    c = conv(3000, 4000)
    c.bad_checksum(0, 2)
    c.bad_checksum(1, 0)
    return single(ctx, [c], note="the only copy is used even with a bad checksum")


@scenario("tcp-concurrent-connections")
def _(ctx):
    convs = [conv(1500 + 100 * i, 2500 - 100 * i, seed=20 + i,
                  client=("10.0.%d.1" % i, 10000 + i), server=("10.9.9.9", 80))
             for i in range(6)]
    return single(ctx, convs, spacing_ns=1_500_000)


@scenario("tcp-large-reordered")
def _(ctx):
    c = cv.Conversation(client_data=stream(20000, 1), server_data=stream(1_000_000, 2),
                        mss=1448, isn=(0x7FFFFF00, 0xFFF00000))
    c.reorder(1, window=8, seed=4)
    for i in range(10, 600, 97):
        c.duplicate(1, i, later=3)
    return single(ctx, [c], step_ns=100_000)


@scenario("tcp-everything-at-once")
def _(ctx):
    c = conv(6000, 9000, isn=(0xFFFFFFFF - 3000, 0xFFFFFFFF - 100), vlan_tags=[pg.vlan_tag(9)],
             syn_data=50)
    c.reorder(0, window=4, seed=11)
    c.duplicate(1, 3)
    c.recut(1, 5)
    c.conflict(0, 2000, 100)
    c.bad_then_good(1, 8)
    c.keepalive(0)
    c.drop(1, 12)
    c.fragment(0, 3, size=96, order="reverse")
    return single(ctx, [c], nsec=True, start_ns=cv.DEFAULT_START_NS + 17, step_ns=999_999)
