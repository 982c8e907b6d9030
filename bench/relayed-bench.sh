#!/usr/bin/env bash
# Relayed-traffic benchmark (see BENCHMARKS.md, "Relayed traffic"): how many frames a second the
# relay forwards per core of its own CPU, measured side by side with a bare forwarder.
#
# Two forwarders run as separate processes on loopback:
#   kinmesh  the relay (java -jar target/kinmesh.jar relay), clients authenticate with the signed
#            connect answer; every frame goes through its checks, limits, queue accounting, metrics
#   null     org.kinmesh.bench.NullForwarder: the same Vert.x WebSocket stack and frames, the
#            same forwarding from the sender's event loop, and nothing else
# For each payload size, RelayedForwardBench runs against null and kinmesh: BENCH_PAIRS senders
# each pump frames to their own receiver (at most BENCH_WINDOW in flight per pair, so nothing is
# dropped), BENCH_WARMUP s of warm-up, then BENCH_DURATION s measured. The forwarder's CPU time
# comes from /proc/PID/stat around the measured window; frames per core = delivered frames ÷ CPU
# seconds. Ratio: kinmesh ÷ null per core (1.0 = the relay's own work costs nothing).
#
# Each combination runs BENCH_ROUNDS times (the two forwarders' order alternating per round) and the
# report gives medians, with every round's figure beside them: on a shared machine one run says little.
#
# Before the rounds, each forwarder gets BENCH_FIRST_WARMUP s per size of discarded load (JIT).
#
# Knobs: BENCH_SIZES ("64 1024 16384"), BENCH_PAIRS (4), BENCH_WINDOW (64), BENCH_WARMUP (5),
# BENCH_DURATION (10), BENCH_ROUNDS (3), BENCH_FIRST_WARMUP (10), BENCH_HTTP_INSTANCES (relay http_instances and null forwarder instances;
# default nproc), BENCH_REBUILD=1 (rebuild the jar), BENCH_KEEP=1 (keep the temp dir).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SIZES="${BENCH_SIZES:-64 1024 16384}"
PAIRS="${BENCH_PAIRS:-4}"
WINDOW="${BENCH_WINDOW:-64}"
WARMUP="${BENCH_WARMUP:-5}"
DURATION="${BENCH_DURATION:-10}"
ROUNDS="${BENCH_ROUNDS:-3}"
FIRST_WARMUP="${BENCH_FIRST_WARMUP:-10}"
INSTANCES="${BENCH_HTTP_INSTANCES:-$(nproc)}"

bench_jar stale
bench_test_compile
bench_test_classpath

bench_workdir kinmesh-relayed-bench "relay.out, relay.err, null.out, null.err"
RELAY_PID=""
NULL_PID=""

LOAD_START="$(load_avg)"
CLK_TCK="$(getconf CLK_TCK)"

# --- the two forwarders ----------------------------------------------------------------------
java -cp "$CP" org.kinmesh.bench.RelayedForwardBench config "$WORK" "$PAIRS" "$INSTANCES"
java -jar target/kinmesh.jar relay -conf "$WORK/relay.json" >"$WORK/relay.out" 2>"$WORK/relay.err" &
RELAY_PID=$!
BENCH_PIDS+=("$RELAY_PID")
java -cp "$CP" org.kinmesh.bench.NullForwarder "$INSTANCES" >"$WORK/null.out" 2>"$WORK/null.err" &
NULL_PID=$!
BENCH_PIDS+=("$NULL_PID")

RELAY_PORT=""
NULL_PORT=""
for _ in $(seq 300); do
  [ -z "$RELAY_PORT" ] && RELAY_PORT="$(sed -n 's|^kinmesh relay listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$WORK/relay.out" | head -n1)"
  [ -z "$NULL_PORT" ] && NULL_PORT="$(sed -n 's|^null forwarder listening on \([0-9]*\)$|\1|p' "$WORK/null.out" | head -n1)"
  [ -n "$RELAY_PORT" ] && [ -n "$NULL_PORT" ] && break
  kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.err" >&2; die "relay exited during start-up"; }
  kill -0 "$NULL_PID" 2>/dev/null || { cat "$WORK/null.err" >&2; die "null forwarder exited during start-up"; }
  sleep 0.2
done
[ -n "$RELAY_PORT" ] && [ -n "$NULL_PORT" ] || die "forwarders did not print their ports within 60 s"
log "relay pid $RELAY_PID port $RELAY_PORT; null forwarder pid $NULL_PID port $NULL_PORT; $INSTANCES event loops each"

# --- warm-up: one discarded run per forwarder, so the first measured run does not pay for the JIT ----
for mode in null kinmesh; do
  if [ "$mode" = kinmesh ]; then port="$RELAY_PORT"; pid="$RELAY_PID"; else port="$NULL_PORT"; pid="$NULL_PID"; fi
  log "warm-up: $mode, ${FIRST_WARMUP}s per payload size (discarded)"
  for size in $SIZES; do
    java -cp "$CP" org.kinmesh.bench.RelayedForwardBench run "$mode" "$port" "$pid" "$CLK_TCK" "$PAIRS" "$size" \
      "$WINDOW" "$FIRST_WARMUP" 1 >/dev/null
  done
done

# --- runs: every size, both forwarders, BENCH_ROUNDS rounds, the order of the two alternating --------
RESULTS="$WORK/results.txt"
: >"$RESULTS"
for round in $(seq "$ROUNDS"); do
  for size in $SIZES; do
    order="null kinmesh"; [ $((round % 2)) = 0 ] && order="kinmesh null"
    for mode in $order; do
      if [ "$mode" = kinmesh ]; then port="$RELAY_PORT"; pid="$RELAY_PID"; else port="$NULL_PORT"; pid="$NULL_PID"; fi
      log "round $round/$ROUNDS, $mode, payload $size B: $PAIRS pairs, window $WINDOW, ${WARMUP}s warm-up + ${DURATION}s"
      line="$(java -cp "$CP" org.kinmesh.bench.RelayedForwardBench run "$mode" "$port" "$pid" "$CLK_TCK" "$PAIRS" \
        "$size" "$WINDOW" "$WARMUP" "$DURATION" | grep '^RESULT ')" || die "no result for $mode $size"
      echo "$line round=$round" >>"$RESULTS"
    done
  done
done

METRICS="$(curl -s "http://127.0.0.1:$RELAY_PORT/metrics" || echo "(could not read /metrics)")"

# --- report ------------------------------------------------------------------------------------
echo
bench_title "kinmesh relayed-traffic benchmark"
echo "load average at the start: $LOAD_START; at the end: $(load_avg)"
echo "$PAIRS pairs, window $WINDOW frames per pair, ${WARMUP}s warm-up + ${DURATION}s per run, $ROUNDS rounds; $INSTANCES event loops per forwarder"
echo
python3 - "$RESULTS" "$SIZES" <<'PY'
import statistics, sys
rows = [dict(kv.split("=", 1) for kv in line.split()[1:]) for line in open(sys.argv[1]) if line.strip()]
sizes = sys.argv[2].split()
def med(mode, size, key):
    return statistics.median(float(r[key]) for r in rows if r["mode"] == mode and r["payload"] == size)
def each(mode, size, key):
    return " ".join(f"{float(r[key]):.0f}" for r in rows if r["mode"] == mode and r["payload"] == size)
print(f"{'payload':>7} {'mode':>8} {'frames/s':>10} {'MB/s':>7} {'fwd cores':>9} {'frames/core-s':>13} "
      f"{'us/frame':>8} {'undeliv.':>8} {'gen cores':>9}   frames/core-s of each round")
for size in sizes:
    for mode in ("null", "kinmesh"):
        fps = med(mode, size, "fps")
        secs = med(mode, size, "secs")
        cores = med(mode, size, "cpu_s") / secs
        per_core = med(mode, size, "fps_per_core")
        undeliv = sum(int(r["undeliverable"]) for r in rows if r["mode"] == mode and r["payload"] == size)
        gen = med(mode, size, "gen_cpu_s") / secs
        print(f"{size:>7} {mode:>8} {fps:>10.0f} {fps * int(size) / 1e6:>7.1f} {cores:>9.2f} {per_core:>13.0f} "
              f"{1e6 / per_core:>8.1f} {undeliv:>8} {gen:>9.2f}   {each(mode, size, 'fps_per_core')}")
print()
print("medians over the rounds; ratio kinmesh / null (1.0 = the relay's checks, limits and metrics cost nothing):")
for size in sizes:
    pc = med("kinmesh", size, "fps_per_core") / med("null", size, "fps_per_core")
    ps = med("kinmesh", size, "fps") / med("null", size, "fps")
    print(f"  payload {size:>6} B: frames per core {pc:.3f}   frames per second {ps:.3f}")
PY
echo
echo "relay metrics after the runs:"
grep -E '^kinmesh_relay_forward_(frames|bytes|dropped_frames|notices_dropped)' <<<"$METRICS" | grep -v ' 0\.0$' || true
WARN="$(grep -c ' WARN \| ERROR ' "$WORK/relay.err" || true)"
if [ "$WARN" != 0 ]; then
  echo "WARNING: the relay logged $WARN warnings or errors, e.g.:"
  grep ' WARN \| ERROR ' "$WORK/relay.err" | head -n 3
fi
exit 0
