# SPDX-License-Identifier: MIT
# Socket addresses of every length and family strace 6.1 prints (strace_test.py compare):
# connect(2) on a UDP socket with made-up addresses, which the kernel refuses; the decoder
# prints what was passed. AF_PACKET with every protocol of <linux/if_ether.h> and every
# hardware type of <linux/if_arp.h> (and values of neither), every packet type, hardware
# addresses shorter and longer than the 8 bytes there are; each decoded family too short for
# its struct (strace's generic sa_data form); families strace names but does not decode; a
# family it does not name; the family alone; a length above sizeof(struct sockaddr_storage),
# negative, below 2.
import ctypes
import re
import socket
import struct

libc = ctypes.CDLL(None, use_errno=True)
udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def connect(address, length=None):
    buffer = ctypes.create_string_buffer(address, max(len(address), 1))
    libc.connect(udp.fileno(), buffer, ctypes.c_uint(len(address) if length is None else length))


def family(number, rest=b""):
    return struct.pack("<H", number) + rest


def packet(protocol, ifindex=1, hatype=1, pkttype=0, halen=6, address=bytes(range(1, 9))):
    return family(17, struct.pack(">H", protocol) + struct.pack("<iHBB", ifindex, hatype,
                                                                pkttype, halen) + address)


def header_values(path, prefix):
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return []
    return sorted({int(v, 0) for v in re.findall(r"#define\s+" + prefix + r"\w+\s+(0x[0-9A-Fa-f]+|\d+)", text)})


for protocol in header_values("/usr/include/linux/if_ether.h", "ETH_P_") + [0, 0x1234, 0xffff]:
    connect(packet(protocol))
for hatype in header_values("/usr/include/linux/if_arp.h", "ARPHRD_") + [2, 0x1234]:
    connect(packet(0x0800, hatype=hatype))
for pkttype in range(9):
    connect(packet(0x0003, pkttype=pkttype, ifindex=pkttype))
for halen in (0, 1, 6, 8, 9, 255):
    connect(packet(0x86DD, ifindex=-1, halen=halen))
connect(packet(0x0003) + b"tail")           # 24 bytes: the address has 12 readable
connect(packet(0x0003, halen=12) + b"\0\xff\x10\x01")
# Each decoded family at its struct's size and one byte short.
connect(family(2, b"\x00\x35\x7f\x00\x00\x01" + bytes(8)))
connect(family(2, b"\x00\x35\x7f\x00\x00\x01" + bytes(7)))
connect(family(10, b"\x01\xbb" + struct.pack(">I", 7) + socket.inet_pton(socket.AF_INET6, "::1") + struct.pack("<I", 1)))
connect(family(10, b"\x01\xbb" + struct.pack(">I", 7) + socket.inet_pton(socket.AF_INET6, "::1")))
connect(family(10, b"\0\0\0\0\0\0" + socket.inet_pton(socket.AF_INET6, "fe80::1") + struct.pack("<I", 1)))
connect(family(10, b"\0\0\0\0\0\0" + socket.inet_pton(socket.AF_INET6, "ff02::1") + struct.pack("<I", 1)))
connect(family(10, bytes(21)))
connect(family(16, struct.pack("<HII", 42, 5, 0x10)))
connect(family(16, struct.pack("<HII", 0, 5, 0x10)))
connect(family(16, struct.pack("<II", 42, 5)))
connect(family(17, bytes(17)))
connect(family(1, b"/tmp/x"))
connect(family(1, b"\0abstract"))
connect(family(1, b"x"))
# AF_VSOCK: the named context ids and port, the flags, the reserved and zero bytes when set.
for cid in (0, 1, 2, 3, 0xFFFFFFFE, 0xFFFFFFFF):
    connect(family(40, struct.pack("<HIIB3s", 0, 1234, cid, 0, b"\0\0\0")))
for port in (0, 1023, 0xFFFFFFFF):
    connect(family(40, struct.pack("<HIIB3s", 0, port, 2, 0, b"\0\0\0")))
for flags in (1, 2, 0x80, 0xFF):
    connect(family(40, struct.pack("<HIIB3s", 0, 5, 2, flags, b"\0\0\0")))
connect(family(40, struct.pack("<HIIB3s", 7, 5, 2, 0, b"\1\0\0")))
connect(family(40, struct.pack("<HIIB", 0, 5, 2, 0)))
# AF_ALG: the type and name cut where they have no NUL, the name as long as the address.
for bit in range(32):
    connect(family(38, b"hash".ljust(14, b"\0") + struct.pack("<II", 1 << bit, 1 << (31 - bit))
                   + b"sha256".ljust(64, b"\0")))
connect(family(38, b"skcipher".ljust(14, b"x") + struct.pack("<II", 0xFFFFFFFF, 0x1000)
               + b"cbc(aes)".ljust(64, b"y")))
for length in (24, 25, 26, 32, 33, 87, 88):
    connect(family(38, b"aead".ljust(14, b"\0") + bytes(8) + b"gcm(aes)".ljust(64, b"\0")), length)
# AF_XDP: the flags, the shared UMEM's descriptor (an fd only with XDP_SHARED_UMEM).
for flags, fd in ((0, 7), (1, 7), (2, 7), (4, 0), (8, 7), (0xF, 7), (0x30, 7), (0x11, 0),
                  (0, 0), (1, 0xFFFFFFFF), (0, 0xFFFFFFFF)):
    connect(family(44, struct.pack("<HIII", flags, 1, 3, fd)))
connect(family(44, struct.pack("<HII", 1, 1, 3)))
# AF_IPX, AF_X25 and AF_MCTP, each at its struct's size and one byte short.
connect(family(4, struct.pack(">HI", 0x4000, 0x12345678) + bytes([1, 2, 3, 0xAB, 0, 0xFF, 4, 0])))
connect(family(4, struct.pack(">HI", 1, 0) + bytes(6) + bytes([0xFF, 7])))
connect(family(4, bytes(13)))
for x25 in (b"12345".ljust(16, b"\0"), b"1234567890abcdef", b"\1\2".ljust(16, b"\0"), bytes(16)):
    connect(family(9, x25))
connect(family(9, bytes(15)))
for network, address, kind, tag in ((0, 0, 0, 0), (1, 8, 1, 8), (0xFFFFFFFF, 0xFF, 0x7F, 0x80),
                                    (5, 0x20, 0x80, 0x0F)):
    connect(family(45, struct.pack("<HIBBBB", 0, network, address, kind, tag, 0)))
connect(family(45, struct.pack("<HIBBBB", 0x201, 0, 0, 0, 0, 0xFF)))
connect(family(45, struct.pack("<HIBBB", 0, 1, 2, 3, 4)))
# Families strace names and prints as bytes; one it does not name. (It decodes AF_AX25 and
# AF_BLUETOOTH, which the example prints as bytes: not here.)
for number in (0, 5, 6, 7, 8, 12, 21, 29, 30, 36):
    connect(family(number, b"\x01\x02data\0\x7f\x80\xff"))
connect(family(200, b"abc\0def"))
connect(family(46, b"z"))
# Lengths: the family alone, above sizeof(struct sockaddr_storage), negative, below 2.
connect(family(2))
connect(family(2, b"\x00\x50\x0a\x00\x00\x01" + bytes(194)))
connect(family(5, bytes(198)))
connect(family(2, bytes(14)), 0xffffffff)
connect(family(2, bytes(14)), 1)
connect(family(2, bytes(14)), 0)
udp.close()
