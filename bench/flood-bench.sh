#!/usr/bin/env bash
# Idle-connection flood at the scale of issue 13.2 (see BENCHMARKS.md, "Connection flood"): a relay
# and four node processes (`kinmesh demo`, default node limits) on loopback; one source address,
# 127.0.0.9 (BENCH_FLOOD_SOURCE), opens BENCH_FLOOD_COUNT idle TCP connections, alternating between node0's API port and
# its link port, sends nothing on them and holds them longer than the idle timeout (60 s by
# default). Meanwhile node0's /health and /status are asked every 0.5 s from 127.0.0.2 (the cap is
# per source address, so the flood's own address is refused once it holds its 64 per port).
# The demo's nodes link to each other from 127.0.0.1: a flood from that address shares the per-source
# cap with node0's own peers, which in a real family come from other addresses than an attacker's.
# BENCH_FLOOD_SOURCE=127.0.0.1 measures that worst case (node0 then drops out of consensus while the
# flood holds its peers' share, and catches up afterwards).
#
# Prints: connections attempted, accepted, refused at once (closed within 1 s: the per-source cap),
# held longer and how many of those the node closed within the timeout, how many were still open at
# the end; /health answers and latency before, under and after the flood; blocks per second before
# and under the flood, and their ratios. bench/flood-client.py does the flood and the watching.
#
# Knobs: BENCH_FLOOD_COUNT (20000), BENCH_FLOOD_HOLD (75 s after the last connect),
# BENCH_FLOOD_WINDOW (256 connects in flight), BENCH_REBUILD=1 (rebuild the jar), BENCH_KEEP=1
# (keep the temp dir with the demo's logs). Needs python3 (installed when missing, as root) and a
# file-descriptor limit above the count: the script raises `ulimit -n` (to the hard limit; root
# can raise that too).
set -euo pipefail
BENCH_LOG_TAG="[flood-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

COUNT="${BENCH_FLOOD_COUNT:-20000}"
HOLD="${BENCH_FLOOD_HOLD:-75}"
WINDOW="${BENCH_FLOOD_WINDOW:-256}"
IDLE_SECS=60 # the node's default http_idle_timeout_secs (docs/security.md)

bench_need python3 python3
bench_jar stale

want=$((COUNT + 4096))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want" ]; then
  ulimit -Hn "$want" 2>/dev/null || true
  ulimit -n "$want" 2>/dev/null || ulimit -n "$(ulimit -Hn)" || true
fi
log "file-descriptor limit $(ulimit -n) for $COUNT connections"

bench_workdir kinmesh-flood-bench "demo/ (keys, node and relay logs), demo.out, flood.out"
java -jar target/kinmesh.jar demo --dir "$WORK/demo" --transactions 0 --timeout-secs 900 >"$WORK/demo.out" 2>&1 &
DEMO_PID=$!
BENCH_PIDS+=("$DEMO_PID")
log "starting a relay and four nodes (kinmesh demo, pid $DEMO_PID)"
for _ in $(seq 4500); do
  grep -qs "every node reaches" "$WORK/demo.out" && break
  kill -0 "$DEMO_PID" 2>/dev/null || { cat "$WORK/demo.out" >&2; die "the demo stopped before the nodes connected"; }
  sleep 0.2
done
grep -q "every node reaches" "$WORK/demo.out" || die "the four nodes did not connect within 900 s (see $WORK/demo.out)"
API_PORT="$(sed -n 's|.*node0 .* up, API http://127\.0\.0\.1:\([0-9]*\).*|\1|p' "$WORK/demo.out" | head -n1)"
LINK_PORT="$(sed -n 's|.*op=node_start .* port=\([0-9]*\) .*|\1|p' "$WORK/demo/node0.log" | head -n1)"
[ -n "$API_PORT" ] && [ -n "$LINK_PORT" ] || die "node0's ports not found in $WORK/demo.out and $WORK/demo/node0.log"
log "node0: API 127.0.0.1:$API_PORT, link 127.0.0.1:$LINK_PORT"

bench_title "kinmesh idle-connection flood benchmark"
echo "load average (start): $(load_avg)"
rc=0
python3 bench/flood-client.py --source "${BENCH_FLOOD_SOURCE:-127.0.0.9}" --target "127.0.0.1:$API_PORT" --target "127.0.0.1:$LINK_PORT" \
  --count "$COUNT" --hold "$HOLD" --window "$WINDOW" --timeout "$IDLE_SECS" \
  --probe "127.0.0.1:$API_PORT" --probe-source 127.0.0.2 >"$WORK/flood.out" || rc=$?
[ "$rc" -eq 0 ] || { cat "$WORK/flood.out"; die "the flood client failed (exit $rc)"; }

v() { sed -n "s/^$1=//p" "$WORK/flood.out"; }
refusals_logged="$(grep -o "refused so far)" -c "$WORK/demo/node0.log" || true)"
last_refused="$(grep -o "[0-9]* refused so far" "$WORK/demo/node0.log" | tail -n1 | tr -dc '0-9' || true)"
alive="$(kill -0 "$DEMO_PID" 2>/dev/null && echo yes || echo no)"
echo
echo "flood: $(v attempted) connections attempted from ${BENCH_FLOOD_SOURCE:-127.0.0.9}, alternating API :$API_PORT and link :$LINK_PORT"
echo "  fd limit of the client $(v fd_limit); limit hit: $(v limit_hit); connect errors: $(v connect_errors)"
echo "  accepted by the kernel:                 $(v connected) (opened in $(v open_secs) s)"
echo "  closed within 1 s of connecting:       $(v closed_within_1s)  ($(calc "%.2f" "$(v closed_within_1s) / ($(v connected) + 0.0001) * 100") % of accepted)"
echo "  held longer than 1 s:                   $(v held_longer) (at most $(v held_max_per_target) at once: API,link;"
echo "    the kernel completes a handshake before the node accepts it: up to the listen backlog wait there)"
echo "  ... closed by the node within ${IDLE_SECS}+5 s: $(v held_closed_within_timeout)  (lifetime p50 $(v held_lifetime_p50_s) s, max $(v held_lifetime_max_s) s)"
echo "  still open after $(v hold_secs) s of holding: $(v still_open_at_end)"
echo "  how the node closed them:               $(v closes_by)"
echo "  node0's refusal WARNs (at most one a minute per port): $refusals_logged, last count logged: ${last_refused:-none}"
echo "health (node0, from 127.0.0.2, every 0.5 s):"
echo "  before: $(v health_before)"
echo "  flood:  $(v health_flood)"
echo "  after:  $(v health_after)"
echo "commits (node0 /status height):"
echo "  before: $(v height_baseline), $(v blocks_per_s_baseline) blocks/s"
echo "  flood:  $(v height_flood), $(v blocks_per_s_flood) blocks/s  (ratio flood/before $(calc "%.2f" "$(v blocks_per_s_flood) / ($(v blocks_per_s_baseline) + 0.0001)"))"
echo "demo (relay and four nodes) still running after the flood: $alive"
bench_finish 0
