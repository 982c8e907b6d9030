#!/usr/bin/env bash
# STUN benchmark (see BENCHMARKS.md, STUN): the relay's STUN Binding rate against coturn's, side by
# side in one run on this machine, and the time of a full RFC 5780 classification against each.
#
# Both servers run on loopback in RFC 5780 mode (primary 127.0.0.1, alternate 127.0.0.2, each on
# a primary and an alternate port): coturn's turnserver (-c /dev/null --stun-only, its defaults
# otherwise) and `java -jar target/kinmesh.jar relay` (stun_listen, stun_alternate, its default
# stun_threads, the per-IP limit raised out of the way). One load generator (StunRateBench: several
# UDP sockets, each a thread keeping a window of plain Binding requests in flight) is aimed at
# them in turn, in interleaved slices after a warm-up of each, so both meet the same generator
# and the same machine noise; the median slice is each one's rate. Each server's CPU time is
# read from /proc/PID/stat around its slices (microseconds of server CPU per answer).
#
# Knobs (environment): BENCH_SOCKETS (4), BENCH_WINDOW (16 requests in flight per socket),
# BENCH_WARMUP (5 s per server), BENCH_SLICE (3 s), BENCH_ROUNDS (7 slices per server),
# BENCH_PROBES (30 classifications per server), BENCH_STUN_THREADS (relay stun_threads; default:
# the relay's own), BENCH_RELAY_JAVA_OPTS, BENCH_REBUILD=1 (rebuild the jar), BENCH_KEEP=1 (keep
# the temp dir), BENCH_STRICT=1 (exit 3 when the rate target is missed).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

SOCKETS="${BENCH_SOCKETS:-4}"
WINDOW="${BENCH_WINDOW:-16}"
WARMUP="${BENCH_WARMUP:-5}"
SLICE="${BENCH_SLICE:-3}"
ROUNDS="${BENCH_ROUNDS:-7}"
PROBES="${BENCH_PROBES:-30}"
RELAY_JAVA_OPTS="${BENCH_RELAY_JAVA_OPTS:-}"
RATE_TARGET=1.0
CLASSIFY_TARGET_MS=300

# --- coturn ----------------------------------------------------------------------------
bench_need turnserver coturn

# --- build -----------------------------------------------------------------------------
bench_jar stale
bench_test_compile
CP="target/kinmesh.jar:target/test-classes"
bench() { java -cp "$CP" org.kinmesh.bench.StunRateBench "$@"; }

# --- temp dir, server lifetimes ----------------------------------------------------------
bench_workdir kinmesh-stun-bench "coturn.log, relay.out, relay.err, bench.log"
COTURN_PID=""
RELAY_PID=""

LOAD_START="$(load_avg)"
read -r C_PORT C_ALT R_PORT R_ALT <<<"$(bench ports 4)"

# --- 1. coturn: two listening IPs and an alternate port, so it speaks RFC 5780 -------------
turnserver -c /dev/null --stun-only -L 127.0.0.1 -L 127.0.0.2 --listening-port "$C_PORT" \
  --alt-listening-port "$C_ALT" --no-cli --no-tls --no-dtls --no-tcp --log-file "$WORK/coturn.log" --simple-log \
  --pidfile "$WORK/coturn.pid" --userdb "$WORK/turndb" >/dev/null 2>&1 &
COTURN_PID=$!
BENCH_PIDS+=("$COTURN_PID")
bench wait "$C_PORT" || { cat "$WORK"/coturn*.log >&2 2>/dev/null || true; die "coturn did not answer on 127.0.0.1:$C_PORT"; }
log "coturn pid $COTURN_PID on 127.0.0.1:$C_PORT, alternate 127.0.0.2:$C_ALT ($(turnserver --version 2>/dev/null | head -n1 || echo version unknown))"

# --- 2. the relay, STUN on the same kind of addresses -------------------------------------
EXTRA=""
[ -n "${BENCH_STUN_THREADS:-}" ] && EXTRA=", \"stun_threads\": $BENCH_STUN_THREADS"
cat >"$WORK/relay.json" <<JSON
{
  "listen_addr": "127.0.0.1:0",
  "db_path": "$WORK/relay.db",
  "http_instances": 1,
  "stun_listen": "127.0.0.1:$R_PORT",
  "stun_alternate": "127.0.0.2:$R_ALT",
  "stun_rate_limit_per_min": 10000000$EXTRA
}
JSON
# shellcheck disable=SC2086  # RELAY_JAVA_OPTS is a list of JVM options
java $RELAY_JAVA_OPTS -jar target/kinmesh.jar relay -conf "$WORK/relay.json" >"$WORK/relay.out" 2>"$WORK/relay.err" &
RELAY_PID=$!
BENCH_PIDS+=("$RELAY_PID")
for _ in $(seq 300); do
  grep -q '^kinmesh relay stun on udp ' "$WORK/relay.out" 2>/dev/null && break
  kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.err" >&2; die "relay exited during start-up"; }
  sleep 0.2
done
grep -q "^kinmesh relay stun on udp 127.0.0.1:$R_PORT " "$WORK/relay.out" || die "relay did not start STUN on $R_PORT"
STUN_THREADS="$(sed -n 's/.*op=stun.listen .* threads=\([0-9]*\).*/\1/p' "$WORK/relay.err" | head -n1)"
log "relay pid $RELAY_PID, STUN on 127.0.0.1:$R_PORT, alternate 127.0.0.2:$R_ALT, stun_threads=${STUN_THREADS:-?}"

# --- 3. rates, interleaved ---------------------------------------------------------------
log "rate: $SOCKETS sockets x $WINDOW in flight; ${WARMUP}s warm-up each, then $ROUNDS x ${SLICE}s slices each, interleaved"
bench rate "$C_PORT" "$COTURN_PID" "$R_PORT" "$RELAY_PID" "$SOCKETS" "$WINDOW" "$WARMUP" "$SLICE" "$ROUNDS" \
  "$(getconf CLK_TCK)" >"$WORK/bench.log"
RATE_LINE="$(grep '^RATE ' "$WORK/bench.log")" || die "no RATE line (see $WORK/bench.log)"

# --- 4. full RFC 5780 classification time ------------------------------------------------
log "classification: $PROBES full RFC 5780 probes against each"
bench classify "$C_PORT" "$R_PORT" "$PROBES" >>"$WORK/bench.log" 2>/dev/null
CLASSIFY_A="$(grep '^CLASSIFY server=A ' "$WORK/bench.log")" || die "no classification result for coturn"
CLASSIFY_B="$(grep '^CLASSIFY server=B ' "$WORK/bench.log")" || die "no classification result for the relay"

# --- 5. report -----------------------------------------------------------------------------
echo
bench_title "kinmesh STUN benchmark"
echo "load average at the start: $LOAD_START; at the end: $(load_avg)"
echo "generator: $SOCKETS sockets x $WINDOW Binding requests in flight (20-byte requests); slices of ${SLICE}s, $ROUNDS per server, interleaved"
echo
printf '%-8s %-6s %12s %10s %12s %14s\n' server round "answers/s" "lost/s" "server cores" "server us/ans"
grep '^SLICE ' "$WORK/bench.log" | while read -r line; do
  s="$(field "$line" server)"; [ "$s" = A ] && s=coturn || s=relay
  printf '%-8s %-6s %12s %10s %12s %14s\n' "$s" "$(field "$line" round)" "$(field "$line" answered_per_sec)" \
    "$(field "$line" lost_per_sec)" "$(field "$line" server_cpu_cores)" "$(field "$line" server_us_per_answer)"
done
BAD="$(grep '^SLICE ' "$WORK/bench.log" | sed -n 's/.* bad=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')"
echo
A="$(field "$RATE_LINE" a_per_sec)"; B="$(field "$RATE_LINE" b_per_sec)"
echo "median rate: coturn $A answers/s ($(field "$RATE_LINE" a_us_per_answer) us CPU each), relay $B answers/s ($(field "$RATE_LINE" b_us_per_answer) us CPU each); stun_threads=${STUN_THREADS:-?}"
[ "$BAD" != 0 ] && echo "WARNING: $BAD answers were malformed or named the wrong address"
for c in "$CLASSIFY_A" "$CLASSIFY_B"; do
  s="$(field "$c" server)"; [ "$s" = A ] && s=coturn || s=relay
  echo "full RFC 5780 classification on loopback, $s: median $(field "$c" median_ms) ms, p90 $(field "$c" p90_ms) ms," \
    "max $(field "$c" max_ms) ms over $(field "$c" probes) probes; result $(field "$c" result)"
done
echo
STATUS=0
RATIO="$(field "$RATE_LINE" ratio)"
VERDICT="$(awk "BEGIN { print ($RATIO >= $RATE_TARGET) ? \"PASS\" : \"FAIL\" }")"
[ "$VERDICT" = FAIL ] && STATUS=3
printf '%-44s %8s   target >= %-4s %s\n' "relay / coturn Binding rate" "$RATIO" "$RATE_TARGET" "$VERDICT"
for c in "$CLASSIFY_A" "$CLASSIFY_B"; do
  s="$(field "$c" server)"; [ "$s" = A ] && s=coturn || s=relay
  m="$(field "$c" median_ms)"
  v="$(awk "BEGIN { print ($m < $CLASSIFY_TARGET_MS) ? \"PASS\" : \"FAIL\" }")"
  printf '%-44s %8s   target <  %-4s %s\n' "classification ms (loopback, $s)" "$m" "$CLASSIFY_TARGET_MS" "$v"
done
if [ "${BENCH_STRICT:-0}" = 1 ]; then
  exit "$STATUS"
fi
