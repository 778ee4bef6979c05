#!/usr/bin/env python3
"""Capture one reply per nswatch_baddns mode as a fuzz seed (tests/fuzz/corpus/baddns-<mode>).

    python3 tests/fuzz/capture_baddns.py build/tests/nswatch_baddns tests/fuzz/corpus

The seeds are what a probe really receives from each misbehaving mode, so the fuzzer starts from
the broken shapes we test for. The query is the one the fuzz target expects: ID 0x1234,
shop.test SOA, EDNS with an empty NSID option. Modes whose point is TCP (tcp-length-lie) are
captured over TCP, without the length prefix; everything else over UDP.
"""

import os
import socket
import subprocess
import sys

MODES = [
    "ok", "wrong-id", "wrong-question", "garbage", "short", "truncated-packet", "tcp-length-lie",
    "tc-always", "no-aa", "refused", "servfail", "formerr", "nxdomain", "edns-intolerant",
    "wrong-owner", "tcp-other-question",
]  # silent is left out: it sends nothing

QUERY = bytes([
    0x12, 0x34,              # ID 0x1234 (the fuzz target's fixed expected ID)
    0x00, 0x00,              # QR=0 opcode QUERY, no RD; rcode 0
    0x00, 0x01,              # QDCOUNT 1
    0x00, 0x00,              # ANCOUNT 0
    0x00, 0x00,              # NSCOUNT 0
    0x00, 0x01,              # ARCOUNT 1 (the OPT record)
    0x04, *b"shop", 0x04, *b"test", 0x00,  # QNAME shop.test.
    0x00, 0x06,              # QTYPE SOA
    0x00, 0x01,              # QCLASS IN
    0x00,                    # OPT owner: root
    0x00, 0x29,              # TYPE OPT (41)
    0x04, 0xd0,              # CLASS = UDP payload size 1232
    0x00, 0x00, 0x00, 0x00,  # TTL = extended rcode 0, version 0, DO=0
    0x00, 0x04,              # RDLENGTH 4
    0x00, 0x03,              # option NSID (3)
    0x00, 0x00,              # option length 0: "please send your NSID"
])


def recv_exact(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            break
        data += chunk
    return data


def capture(binary, mode):
    proc = subprocess.Popen([binary, "--listen", "127.0.0.1", "--port", "0", "--mode", mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    try:
        ready, port = proc.stdout.readline().split()
        assert ready == b"READY", ready
        addr = ("127.0.0.1", int(port))
        if mode == "tcp-length-lie":
            with socket.create_connection(addr, timeout=2) as s:
                s.sendall(len(QUERY).to_bytes(2, "big") + QUERY)
                claimed = int.from_bytes(recv_exact(s, 2), "big")
                s.settimeout(0.5)  # it promises `claimed` bytes and sends fewer: read what comes
                data = b""
                try:
                    while len(data) < claimed:
                        chunk = s.recv(claimed - len(data))
                        if not chunk:
                            break
                        data += chunk
                except socket.timeout:
                    pass
                return data
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(2)
            s.sendto(QUERY, addr)
            return s.recv(65535)
    finally:
        proc.terminate()
        proc.wait(timeout=5)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    binary, outdir = sys.argv[1], sys.argv[2]
    os.makedirs(outdir, exist_ok=True)
    for mode in MODES:
        data = capture(binary, mode)
        with open(os.path.join(outdir, f"baddns-{mode}"), "wb") as f:
            f.write(data)
        print(f"baddns-{mode}: {len(data)} bytes")


if __name__ == "__main__":
    main()
