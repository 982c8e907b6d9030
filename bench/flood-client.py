#!/usr/bin/env python3
"""Idle-connection flood for bench/flood-bench.sh (issue 13.2): opens COUNT TCP connections from
one source address, spread round-robin over the targets, sends nothing on them, and holds them
for HOLD seconds, watching which the node closes and when. Meanwhile it asks the node's /health
and /status from another loopback address (the per-source cap would refuse the flood's own).
Prints one "key=value" line per figure on stdout; progress goes to stderr."""
import argparse
import errno
import http.client
import json
import resource
import selectors
import socket
import sys
import threading
import time

IP_BIND_ADDRESS_NO_PORT = 24  # Linux: pick the source port at connect, not at bind


def log(msg):
    print("[flood-client] " + msg, file=sys.stderr, flush=True)


def pct(values, p):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100.0 * (len(s) - 1))))]


class Prober(threading.Thread):
    """GET /health (latency) and /status (height) of the target every INTERVAL s, from SOURCE."""

    def __init__(self, host, port, source, interval):
        super().__init__(daemon=True)
        self.host, self.port, self.source, self.interval = host, port, source, interval
        self.samples = []  # (t, phase, ok, latency_ms)
        self.heights = []  # (t, height)
        self.phase = "before"
        self.stop = threading.Event()

    def get(self, path):
        c = http.client.HTTPConnection(self.host, self.port, timeout=5, source_address=(self.source, 0))
        try:
            t0 = time.monotonic()
            c.request("GET", path)
            r = c.getresponse()
            body = r.read()
            return r.status, body, (time.monotonic() - t0) * 1000.0
        finally:
            c.close()

    def run(self):
        while not self.stop.is_set():
            t = time.monotonic()
            try:
                status, _, ms = self.get("/health")
                self.samples.append((t, self.phase, status == 200, ms if status == 200 else "http_%d" % status))
            except OSError as e:
                self.samples.append((t, self.phase, False, type(e).__name__))
            try:
                status, body, _ = self.get("/status")
                if status == 200:
                    self.heights.append((t, json.loads(body)["height"]))
            except (OSError, ValueError, KeyError):
                pass
            self.stop.wait(self.interval)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--target", action="append", required=True, help="host:port, repeatable")
    ap.add_argument("--count", type=int, default=20000)
    ap.add_argument("--hold", type=float, default=75.0, help="seconds to hold after the last open")
    ap.add_argument("--source", default="127.0.0.1")
    ap.add_argument("--window", type=int, default=256, help="connects in flight at once")
    ap.add_argument("--timeout", type=float, default=60.0, help="the node's idle timeout, s")
    ap.add_argument("--probe", required=True, help="host:port of the API to watch")
    ap.add_argument("--probe-source", default="127.0.0.2")
    ap.add_argument("--baseline", type=float, default=15.0, help="seconds watched before the flood")
    a = ap.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    print("fd_limit=%d" % hard)
    targets = []
    for t in a.target:
        h, p = t.rsplit(":", 1)
        targets.append((h, int(p)))
    ph, pp = a.probe.rsplit(":", 1)
    prober = Prober(ph, int(pp), a.probe_source, 0.5)
    prober.start()
    log("baseline: watching the node for %.0f s before the flood" % a.baseline)
    time.sleep(a.baseline)  # a measurement window, not synchronisation

    sel = selectors.DefaultSelector()
    conns = {}  # fd -> dict
    done = []  # closed conns
    failed = {}
    opened = 0
    attempted = 0
    in_flight = 0
    limit_hit = None
    held_now = [0] * len(targets)
    held_max = [0] * len(targets)
    prober.phase = "flood"
    t_start = time.monotonic()

    def close_conn(c, how):
        nonlocal in_flight
        try:
            sel.unregister(c["sock"])
        except (KeyError, ValueError):
            pass
        c["sock"].close()
        c["closed"] = time.monotonic()
        c["how"] = how
        if c.get("opened") is not None:
            held_now[c["target"]] -= 1
        del conns[c["fd"]]
        done.append(c)

    def pump(timeout):
        nonlocal opened, in_flight
        for key, ev in sel.select(timeout):
            c = key.data
            s = c["sock"]
            if c.get("opened") is None:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                in_flight -= 1
                if err != 0:
                    failed[errno.errorcode.get(err, str(err))] = failed.get(errno.errorcode.get(err, str(err)), 0) + 1
                    close_conn(c, "connect_failed")
                    continue
                c["opened"] = time.monotonic()
                opened += 1
                held_now[c["target"]] += 1
                held_max[c["target"]] = max(held_max[c["target"]], held_now[c["target"]])
                sel.modify(s, selectors.EVENT_READ, c)
                continue
            try:
                data = s.recv(4096)
                if not data:
                    close_conn(c, "eof")
            except ConnectionResetError:
                close_conn(c, "reset")
            except OSError as e:
                close_conn(c, "error_" + errno.errorcode.get(e.errno, str(e.errno)))

    while attempted < a.count and limit_hit is None:
        while in_flight < a.window and attempted < a.count:
            ti = attempted % len(targets)
            try:
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            except OSError as e:
                limit_hit = "%s after %d sockets open at once (%d attempted)" % (
                    errno.errorcode.get(e.errno, e.errno), len(conns), attempted)
                break
            s.setblocking(False)
            try:
                if a.source != "127.0.0.1":
                    s.setsockopt(socket.SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                    s.bind((a.source, 0))
                r = s.connect_ex(targets[ti])
            except OSError as e:
                s.close()
                limit_hit = "%s at connect after %d attempted" % (errno.errorcode.get(e.errno, e.errno), attempted)
                break
            attempted += 1
            c = {"sock": s, "fd": s.fileno(), "target": ti, "start": time.monotonic()}
            conns[c["fd"]] = c
            if r not in (0, errno.EINPROGRESS):
                failed[errno.errorcode.get(r, str(r))] = failed.get(errno.errorcode.get(r, str(r)), 0) + 1
                close_conn(c, "connect_failed")
                continue
            in_flight += 1
            sel.register(s, selectors.EVENT_WRITE, c)
        pump(0.05)
        if attempted and attempted % 5000 == 0 and in_flight == a.window:
            log("%d attempted, %d connected, %d held" % (attempted, opened, len(conns)))
    t_opened = time.monotonic()
    log("all %d attempted in %.1f s (%d connected); holding %.0f s" % (attempted, t_opened - t_start, opened, a.hold))
    end = t_opened + a.hold
    while time.monotonic() < end:
        pump(min(0.5, max(0.0, end - time.monotonic())))
    t_end = time.monotonic()
    still = [c for c in conns.values() if c.get("opened") is not None]
    prober.phase = "after"
    time.sleep(2.0)  # one more pair of probes after the flood
    prober.stop.set()
    prober.join(10)

    closed = [c for c in done if c.get("opened") is not None]
    lifetimes = [c["closed"] - c["opened"] for c in closed]
    refused = [x for x in lifetimes if x <= 1.0]
    later = [x for x in lifetimes if x > 1.0]
    print("attempted=%d" % attempted)
    print("connected=%d" % opened)
    print("connect_failed=%d" % sum(failed.values()))
    print("connect_errors=%s" % (",".join("%s:%d" % kv for kv in sorted(failed.items())) or "none"))
    print("limit_hit=%s" % (limit_hit or "none").replace(" ", "_"))
    print("open_secs=%.1f" % (t_opened - t_start))
    print("hold_secs=%.1f" % (t_end - t_opened))
    print("closed_within_1s=%d" % len(refused))
    print("held_longer=%d" % len(later))
    print("held_closed_within_timeout=%d" % sum(1 for x in later if x <= a.timeout + 5))
    print("held_lifetime_p50_s=%.1f" % pct(later, 50))
    print("held_lifetime_max_s=%.1f" % (max(later) if later else float("nan")))
    print("still_open_at_end=%d" % len(still))
    print("held_max_per_target=%s" % ",".join(str(x) for x in held_max))
    print("closes_by=%s" % ",".join("%s:%d" % (k, sum(1 for c in closed if c["how"] == k))
                                     for k in sorted({c["how"] for c in closed})))
    for phase in ("before", "flood", "after"):
        s = [x for x in prober.samples if x[1] == phase]
        ok = [x[3] for x in s if x[2]]
        why = {}
        for x in s:
            if not x[2]:
                key = x[3] if isinstance(x[3], str) else "status_not_200"
                why[key] = why.get(key, 0) + 1
        print("health_%s=%d/%d ok, p50 %.1f ms, p95 %.1f ms, max %.1f ms%s" % (
            phase, len(ok), len(s), pct(ok, 50), pct(ok, 95), max(ok) if ok else float("nan"),
            "; failed: " + ", ".join("%s %d" % kv for kv in sorted(why.items())) if why else ""))
    hs = prober.heights

    def height_at(t):
        best = None
        for (ts, h) in hs:
            if ts <= t:
                best = h
        return best

    h0 = height_at(t_start - a.baseline + 1.0) or (hs[0][1] if hs else 0)
    h1 = height_at(t_start) or h0
    h2 = height_at(t_end) or h1
    print("height_baseline=%d..%d in %.1f s" % (h0, h1, a.baseline - 1.0))
    print("height_flood=%d..%d in %.1f s" % (h1, h2, t_end - t_start))
    print("blocks_per_s_baseline=%.2f" % ((h1 - h0) / max(0.1, a.baseline - 1.0)))
    print("blocks_per_s_flood=%.2f" % ((h2 - h1) / max(0.1, t_end - t_start)))


if __name__ == "__main__":
    main()
