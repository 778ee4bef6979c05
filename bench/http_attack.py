#!/usr/bin/env python3
"""Slow-client attack on nswatch's web port, with a Prometheus-style scraper beside it.

Keeps IDLE connections that send nothing and SLOW connections that send one header byte every
DRIP seconds open against 127.0.0.1:PORT, from SOURCES loopback addresses (127.0.2.x / 127.0.3.x,
so the per-client cap does not simply turn them all away), reopening any the server closes. A
scraper from 127.0.0.1 fetches /metrics every INTERVAL seconds on a new connection for DURATION
seconds and times each answer. Prints the numbers and one JSON line. Loopback only.
"""
import argparse
import json
import selectors
import socket
import statistics
import threading
import time


def connect(source, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setblocking(False)
    s.bind((source, 0))
    try:
        s.connect(("127.0.0.1", port))
    except BlockingIOError:
        pass
    return s


def attack(port, idle, slow, sources, drip, stop, stats):
    sel = selectors.DefaultSelector()
    head = b"GET /metrics HTTP/1.1\r\nHost: x\r\n"

    def open_one(kind, i):
        source = f"127.0.{2 if kind == 'idle' else 3}.{1 + i % sources}"
        try:
            s = connect(source, port)
        except OSError:
            stats["connect_errors"] += 1
            return
        sel.register(s, selectors.EVENT_READ, {"kind": kind, "i": i, "sent": 0})

    for i in range(idle):
        open_one("idle", i)
    for i in range(slow):
        open_one("slow", i)
    next_drip = time.monotonic() + drip
    while not stop.is_set():
        for key, _ in sel.select(timeout=0.05):
            try:
                data = key.fileobj.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:  # closed by the server: the attacker comes straight back
                stats["closed_by_server"] += 1
                sel.unregister(key.fileobj)
                key.fileobj.close()
                open_one(key.data["kind"], key.data["i"])
        if time.monotonic() >= next_drip:
            next_drip += drip
            for key in list(sel.get_map().values()):
                d = key.data
                if d["kind"] != "slow":
                    continue
                byte = head[d["sent"]:d["sent"] + 1] or b"x"
                try:
                    key.fileobj.send(byte)
                    d["sent"] += 1
                except OSError:
                    pass
        stats["open"] = len(sel.get_map())
    for key in list(sel.get_map().values()):
        key.fileobj.close()


def scrape(port, timeout):
    """(seconds, status, body bytes) of one GET /metrics on a new connection; status 0 on failure."""
    start = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.settimeout(max(0.001, timeout - (time.monotonic() - start)))
            s.sendall(b"GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                      b"User-Agent: bench-scraper\r\n\r\n")
            chunks = []
            while True:
                s.settimeout(max(0.001, timeout - (time.monotonic() - start)))
                c = s.recv(65536)
                if not c:
                    break
                chunks.append(c)
        data = b"".join(chunks)
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.1 ") else 0
        return time.monotonic() - start, status, data
    except OSError:
        return time.monotonic() - start, 0, b""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=10053)
    p.add_argument("--idle", type=int, default=1000)
    p.add_argument("--slow", type=int, default=50)
    p.add_argument("--sources", type=int, default=40)
    p.add_argument("--drip", type=float, default=1.0)
    p.add_argument("--duration", type=float, default=60)
    p.add_argument("--interval", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=1.0)
    a = p.parse_args()

    stats = {"closed_by_server": 0, "connect_errors": 0, "open": 0}
    stop = threading.Event()
    t = threading.Thread(target=attack,
                         args=(a.port, a.idle, a.slow, a.sources, a.drip, stop, stats))
    t.start()
    time.sleep(2)  # the attack is in place before the first scrape
    times, failures, last = [], 0, b""
    end = time.monotonic() + a.duration
    while time.monotonic() < end:
        tick = time.monotonic()
        seconds, status, data = scrape(a.port, a.timeout)
        if status == 200:
            times.append(seconds)
            last = data
        else:
            failures += 1
        time.sleep(max(0, a.interval - (time.monotonic() - tick)))
    attack_open = stats["open"]
    stop.set()
    t.join()

    counters = {}
    for line in last.decode(errors="replace").splitlines():
        if line.startswith("nswatch_http_") and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            counters[name] = float(value)
    n = len(times) + failures
    result = {
        "scrapes": n, "answered_within_timeout": len(times), "failed_or_late": failures,
        "p50_ms": round(statistics.median(times) * 1000, 1) if times else None,
        "p99_ms": round(sorted(times)[max(0, int(len(times) * 0.99) - 1)] * 1000, 1) if times else None,
        "max_ms": round(max(times) * 1000, 1) if times else None,
        "metrics_bytes": len(last), "attack_connections_open_at_end": attack_open,
        "attack_closed_by_server": stats["closed_by_server"],
        "attack_connect_errors": stats["connect_errors"], "server_counters": counters,
    }
    print(f"scrapes {n}, answered within {a.timeout:g} s: {len(times)}, failed or late: {failures}")
    if times:
        print(f"latency p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, max {result['max_ms']} ms")
    print(f"attack: {a.idle} idle + {a.slow} slowloris from {a.sources} sources; open at end "
          f"{attack_open}, closed by the server {stats['closed_by_server']}")
    for k, v in sorted(counters.items()):
        print(f"  {k} {v:g}")
    print(json.dumps(result))
    return 0 if failures == 0 and n > 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
