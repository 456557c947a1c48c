"""The --shard hash as documented (src/report/FORMAT.md, tcpflow(1)), written
independently of the C++ code so the tests check the documentation too:
SipHash-2-4, key "tcpflow shard v1", over family, VLAN, and the two
endpoints (address then big-endian port) in memcmp order."""
import ipaddress
import struct

_M = (1 << 64) - 1
SHARD_KEY = b"tcpflow shard v1"


def _rotl(x, b):
    return ((x << b) | (x >> (64 - b))) & _M


def siphash24(key, data):
    k0 = int.from_bytes(key[:8], "little")
    k1 = int.from_bytes(key[8:], "little")
    v = [k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D,
         k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573]

    def sipround():
        v[0] = (v[0] + v[1]) & _M; v[1] = _rotl(v[1], 13); v[1] ^= v[0]; v[0] = _rotl(v[0], 32)
        v[2] = (v[2] + v[3]) & _M; v[3] = _rotl(v[3], 16); v[3] ^= v[2]
        v[0] = (v[0] + v[3]) & _M; v[3] = _rotl(v[3], 21); v[3] ^= v[0]
        v[2] = (v[2] + v[1]) & _M; v[1] = _rotl(v[1], 17); v[1] ^= v[2]; v[2] = _rotl(v[2], 32)

    whole = len(data) - len(data) % 8
    blocks = [int.from_bytes(data[i:i + 8], "little") for i in range(0, whole, 8)]
    blocks.append(((len(data) & 0xFF) << 56) | int.from_bytes(data[whole:], "little"))
    for m in blocks:
        v[3] ^= m
        sipround()
        sipround()
        v[0] ^= m
    v[2] ^= 0xFF
    for _ in range(4):
        sipround()
    return v[0] ^ v[1] ^ v[2] ^ v[3]


def canonical_key(src_ip, src_port, dst_ip, dst_port, vlan=None):
    a = ipaddress.ip_address(src_ip)
    b = ipaddress.ip_address(dst_ip)
    ea = a.packed + struct.pack("!H", int(src_port))
    eb = b.packed + struct.pack("!H", int(dst_port))
    low, high = (ea, eb) if ea <= eb else (eb, ea)
    tag = 0xFFFF if vlan is None else int(vlan)
    return bytes([a.version]) + struct.pack("!H", tag) + low + high


def shard_of(n, src_ip, src_port, dst_ip, dst_port, vlan=None):
    return siphash24(SHARD_KEY, canonical_key(src_ip, src_port, dst_ip, dst_port, vlan)) % n


if __name__ == "__main__":
    assert siphash24(bytes(range(16)), b"") == 0x726FDB47DD0E0E31
    assert siphash24(bytes(range(16)), bytes(range(15))) == 0xA129CA6149BE45E5
    print("ok")
