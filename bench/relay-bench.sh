#!/usr/bin/env bash
# Relay benchmark (see BENCHMARKS.md): wrk against the fat jar on loopback.
#
# Scenarios, all on one relay process:
#   baseline       GET an unknown path -> 404 not_found (router only: no limiter, DB or crypto)
#   lookup_token   GET /lookup/{chain}/{key} with Authorization: Bearer TOKEN
#   lookup_signed  GET /lookup/{chain}/{key} with the three X-Kinmesh-* signed headers
#   register       POST /register, every body distinct and pre-signed (accepted exactly once)
# and, in the same run, the single-core Tink Ed25519 verify rate (before the relay starts, and
# again after it stops, to show how much the shared machine moved). Prints req/s and latency
# per scenario, then the two ratios the issue sets targets for:
#   lookup_token / baseline              target >= 0.6
#   register / (cores x verify rate)     target >= 0.5
#
# Knobs (environment): BENCH_DURATION (s, default 10), BENCH_WARMUP (s, 3), BENCH_REGISTER_WARMUP
# (s, 10, added after the register warm-up round), BENCH_THREADS (2),
# BENCH_CONNECTIONS (32), BENCH_KEYS (20000), BENCH_CORES (nproc), BENCH_HTTP_INSTANCES
# (relay http_instances; default: the relay's own default), BENCH_RELAY_JAVA_OPTS,
# BENCH_REBUILD=1 (rebuild the jar), BENCH_KEEP=1 (keep the temp dir), BENCH_STRICT=1 (exit 3
# when a target is missed), BENCH_STORE_DIAG=0 (skip the register DB-path diagnostic).
# Per scenario it also prints the relay's CPU per request, split by thread kind (/proc/PID/task).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DURATION="${BENCH_DURATION:-10}"
WARMUP="${BENCH_WARMUP:-3}"
# The register path (SQLite, JDBC client, JSON) is still being JIT-compiled after 3 s: in
# 3 s runs the compiler threads took ~120-235 us of relay CPU per measured register.
REGISTER_WARMUP="${BENCH_REGISTER_WARMUP:-10}"
THREADS="${BENCH_THREADS:-2}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
KEYS="${BENCH_KEYS:-20000}"
CORES="${BENCH_CORES:-$(nproc)}"
HTTP_INSTANCES="${BENCH_HTTP_INSTANCES:-}"
RELAY_JAVA_OPTS="${BENCH_RELAY_JAVA_OPTS:-}"
TOKEN_TARGET=0.6
REGISTER_TARGET=0.5

# --- wrk -------------------------------------------------------------------------------
bench_need wrk wrk

# --- build -----------------------------------------------------------------------------
bench_jar stale
bench_test_compile
CP="target/kinmesh.jar:target/test-classes"

# --- temp dir, relay lifetime ------------------------------------------------------------
bench_workdir kinmesh-bench "relay.out, relay.err, wrk.log"
RELAY_PID=""

LOAD_START="$(load_avg)"

# --- 1. Ed25519 bound, measured before the relay starts so nothing competes ----------------
log "measuring single-core Tink Ed25519 verify rate (3 s warm-up, 5 s of interleaved slices)"
VERIFY_LINE="$(java -cp "$CP" org.kinmesh.bench.Ed25519VerifyRate 3 5 | grep '^VERIFY ')"
TINK_RATE="$(field "$VERIFY_LINE" tink_per_sec)"
TINK_CPU="$(field "$VERIFY_LINE" tink_per_cpu_sec)"
PRODUCT_RATE="$(field "$VERIFY_LINE" product_per_sec)"
BC_RATE="$(field "$VERIFY_LINE" bc_per_sec)"
BOUND="$(calc '%.0f' "$CORES * $TINK_RATE")"
log "$VERIFY_LINE"

# --- 2. relay on loopback, free port -----------------------------------------------------
ADMIN="$(java -cp "$CP" org.kinmesh.bench.RelayBenchPrep admin "$WORK")"
EXTRA=""
[ -n "$HTTP_INSTANCES" ] && EXTRA=", \"http_instances\": $HTTP_INSTANCES"
cat >"$WORK/relay.json" <<EOF
{
  "listen_addr": "127.0.0.1:0",
  "db_path": "$WORK/relay.db",
  "ttl_secs": 3600,
  "admin_pubkeys": ["$ADMIN"],
  "rate_limit_per_min": 10000000,
  "freshness_secs": 3600$EXTRA
}
EOF
# shellcheck disable=SC2086  # RELAY_JAVA_OPTS is a list of JVM options
java $RELAY_JAVA_OPTS -jar target/kinmesh.jar relay -conf "$WORK/relay.json" >"$WORK/relay.out" 2>"$WORK/relay.err" &
RELAY_PID=$!
BENCH_PIDS+=("$RELAY_PID")
URL=""
for _ in $(seq 300); do
  URL="$(sed -n 's|^kinmesh relay listening on \(http://127\.0\.0\.1:[0-9]*\)$|\1|p' "$WORK/relay.out" | head -n1)"
  [ -n "$URL" ] && break
  kill -0 "$RELAY_PID" 2>/dev/null || { cat "$WORK/relay.err" >&2; die "relay exited during start-up"; }
  sleep 0.2
done
[ -n "$URL" ] || die "relay did not print its listening line within 60 s"
log "relay pid $RELAY_PID at $URL"

# --- 3. prep over HTTP: blockchain, keys, tokens, pre-signed bodies ------------------------
# Enough distinct register bodies that even the Ed25519 bound could not exhaust them in one run.
# The register warm-up takes the first bodies of the same file (each key's timestamps keep
# increasing down the file), the measured run the rest.
WARM_BODIES="$(calc '%.0f' "$BOUND * $REGISTER_WARMUP * 1.25 + 1")"
BODIES="$(calc '%.0f' "$BOUND * ($DURATION + $REGISTER_WARMUP) * 1.25 + 1")"
log "prep: $KEYS keys, >= $BODIES register bodies"
PREP_LINE="$(java -cp "$CP" org.kinmesh.bench.RelayBenchPrep prep "$URL" "$WORK" "$KEYS" "$BODIES" | grep '^PREP ')"
head -n "$WARM_BODIES" "$WORK/register_bodies.txt" >"$WORK/register_warmup_bodies.txt"
tail -n +"$((WARM_BODIES + 1))" "$WORK/register_bodies.txt" >"$WORK/register_measured_bodies.txt"

# --- 4. wrk -----------------------------------------------------------------------------
CLK_TCK="$(getconf CLK_TCK)"
relay_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$RELAY_PID/stat"; }
# CPU ticks (user+system) of the relay's threads by kind: event loops, workers, JIT compilers, other.
relay_thread_ticks() {
  local t s comm rest
  for t in /proc/"$RELAY_PID"/task/*; do
    s="$(cat "$t/stat" 2>/dev/null)" || continue
    comm="${s#*(}"; comm="${comm%)*}"; rest="${s##*) }"
    # shellcheck disable=SC2086  # split the stat fields
    set -- $rest
    case "$comm" in
      vert.x-eventloo*) echo "loop $((${12} + ${13}))" ;;
      vert.x-worker*|vert.x-internal*) echo "worker $((${12} + ${13}))" ;;
      C1\ Compiler*|C2\ Compiler*) echo "jit $((${12} + ${13}))" ;;
      *) echo "other $((${12} + ${13}))" ;;
    esac
  done | awk '{ a[$1] += $2 } END { printf "%d %d %d %d\n", a["loop"], a["worker"], a["jit"], a["other"] }'
}

# run_wrk LABEL SCRIPT FILE SECONDS -> prints the BENCH line, with the relay's CPU use appended
run_wrk() {
  local before after out threads_before threads_after
  threads_before="$(relay_thread_ticks)"
  before="$(relay_cpu_ticks)"
  out="$(BENCH_LABEL="$1" BENCH_FILE="$3" BENCH_THREADS="$THREADS" BENCH_WRK_DIR="$ROOT/bench/wrk" \
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${4}s" --timeout 10s -s "$ROOT/bench/wrk/$2" "$URL")"
  after="$(relay_cpu_ticks)"
  threads_after="$(relay_thread_ticks)"
  echo "$out" >>"$WORK/wrk.log"
  local line req
  line="$(grep '^BENCH ' <<<"$out")" || die "no result line from wrk for $1 (see $WORK/wrk.log)"
  req="$(field "$line" requests)"
  # Relay CPU per request (us), in all and by thread kind, over every answered request.
  local per
  per="$(awk -v b="$threads_before" -v a="$threads_after" -v n="$req" -v hz="$CLK_TCK" 'BEGIN {
    split(b, x, " "); split(a, y, " "); k = 1e6 / hz / (n > 0 ? n : 1)
    printf "loop_us=%.0f worker_us=%.0f jit_us=%.0f other_us=%.0f", (y[1]-x[1])*k, (y[2]-x[2])*k, (y[3]-x[3])*k, (y[4]-x[4])*k }')"
  echo "$line relay_cpu_cores=$(calc '%.2f' "($after - $before) / $CLK_TCK / $4")" \
    "relay_us=$(calc '%.0f' "($after - $before) * 1e6 / $CLK_TCK / ($req > 0 ? $req : 1)")" "$per"
}

SCENARIOS=("baseline baseline.lua /dev/null"
  "lookup_token lookup_token.lua $WORK/lookup_token.txt"
  "lookup_signed lookup_signed.lua $WORK/lookup_signed.txt"
  "register register.lua $WORK/register_measured_bodies.txt")

log "warm-up: ${WARMUP}s per scenario, register ${REGISTER_WARMUP}s (results discarded)"
for s in "${SCENARIOS[@]}"; do
  read -r label script file <<<"$s"
  secs="$WARMUP"
  if [ "$label" = register ]; then
    run_wrk warmup_register_old_round "$script" "$WORK/register_warm.txt" "$WARMUP" >/dev/null
    file="$WORK/register_warmup_bodies.txt"; secs="$REGISTER_WARMUP"
  fi
  run_wrk "warmup_$label" "$script" "$file" "$secs" >/dev/null
done

declare -A RESULT
for s in "${SCENARIOS[@]}"; do
  read -r label script file <<<"$s"
  log "measuring $label: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
  RESULT[$label]="$(run_wrk "$label" "$script" "$file" "$DURATION")"
done

# --- 5. diagnostic: the register write path without HTTP or crypto ----------------------
# The relay is stopped first so it does not compete. RelayStore.register through the relay's
# writer (group commits of plain JDBC on the Database's one connection) vs the same SQL, one request per
# transaction, on one plain JDBC connection.
STORE_LINE=""
RELAY_ERR_LINES="$(wc -l <"$WORK/relay.err")" # what the relay logged up to the end of the runs
kill "$RELAY_PID" 2>/dev/null || true
wait "$RELAY_PID" 2>/dev/null || true

# --- 4b. the verify rate again, relay stopped: how much the machine moved during the run -----
log "measuring the single-core Tink Ed25519 verify rate again (relay stopped)"
VERIFY_END_LINE="$(java -cp "$CP" org.kinmesh.bench.Ed25519VerifyRate 3 5 | grep '^VERIFY ')"
TINK_RATE_END="$(field "$VERIFY_END_LINE" tink_per_sec)"
TINK_CPU_END="$(field "$VERIFY_END_LINE" tink_per_cpu_sec)"
log "$VERIFY_END_LINE"

if [ "${BENCH_STORE_DIAG:-1}" = 1 ]; then
  log "diagnostic: register DB write path alone (RegisterStoreRate, 4 s each)"
  STORE_LINE="$(java -cp "$CP" org.kinmesh.bench.RegisterStoreRate "$WORK/store" 4 "$CONNECTIONS" 2>/dev/null \
    | grep '^STORE ')" || STORE_LINE=""
fi

# --- 6. report ---------------------------------------------------------------------------
# Useful req/s: answers with the expected status. The baseline expects 404 on every request;
# every other scenario expects 2xx on every request (wrk counts status >= 400).
useful_rps() {
  local line="$1" expect_errors="$2" req bad secs
  req="$(field "$line" requests)"; bad="$(field "$line" status_ge_400)"; secs="$(field "$line" duration_s)"
  if [ "$expect_errors" = 1 ]; then calc '%.1f' "$bad / $secs"; else calc '%.1f' "($req - $bad) / $secs"; fi
}

WARNINGS=()
echo
bench_title "kinmesh relay benchmark"
echo "load average at the start: $LOAD_START; at the end: $(load_avg)"
echo "wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s (after ${WARMUP}s warm-up each, register ${WARMUP}+${REGISTER_WARMUP}s) against $URL; relay http_instances=${HTTP_INSTANCES:-default}"
echo "$PREP_LINE"
echo
printf '%-14s %10s %9s %9s %9s %10s %8s %6s %7s   %s\n' scenario "req/s" "p50 ms" "p99 ms" "max ms" requests "bad" "relay" "relay" \
  "relay CPU us/request by threads"
printf '%-14s %10s %9s %9s %9s %10s %8s %6s %7s   %s\n' "" "(useful)" "" "" "" "" "status" "cores" "us/req" \
  "(event loops, workers, JIT, other)"
declare -A RPS
for label in baseline lookup_token lookup_signed register; do
  line="${RESULT[$label]}"
  expect_errors=0; [ "$label" = baseline ] && expect_errors=1
  RPS[$label]="$(useful_rps "$line" "$expect_errors")"
  req="$(field "$line" requests)"; bad="$(field "$line" status_ge_400)"
  wrong="$bad"; [ "$expect_errors" = 1 ] && wrong=$((req - bad))
  printf '%-14s %10s %9s %9s %9s %10s %8s %6s %7s   %s\n' "$label" "${RPS[$label]}" "$(field "$line" p50_ms)" \
    "$(field "$line" p99_ms)" "$(field "$line" max_ms)" "$req" "$wrong" "$(field "$line" relay_cpu_cores)" \
    "$(field "$line" relay_us)" "$(field "$line" loop_us), $(field "$line" worker_us), $(field "$line" jit_us), $(field "$line" other_us)"
  [ "$wrong" != 0 ] && WARNINGS+=("$label: $wrong answers with an unexpected status (not counted in req/s)")
  [ "$(field "$line" socket_errors)" != 0 ] && WARNINGS+=("$label: $(field "$line" socket_errors) socket errors")
  [ "$(field "$line" timeouts)" != 0 ] && WARNINGS+=("$label: $(field "$line" timeouts) timeouts")
  [ "$label" = register ] && [ "$(field "$line" wraps)" != 0 ] && WARNINGS+=("register: ran out of distinct bodies")
done
echo
echo "Ed25519 single-core verify (Tink Ed25519Verify, the issue's bound): $TINK_RATE/s; Bouncy Castle (the verifier the relay uses): $BC_RATE/s;" \
  "as the relay calls it (hex+SHA-256+Bouncy Castle verify): $PRODUCT_RATE/s;" \
  "per second of thread CPU time: $TINK_CPU/s at the start, $TINK_CPU_END/s at the end"
echo "Ed25519 bound = $CORES cores x $TINK_RATE/s = $BOUND verifications/s" \
  "(measured again at the end, relay stopped: $TINK_RATE_END/s)"
if [ -n "$STORE_LINE" ]; then
  echo "register DB path alone, $CONNECTIONS in flight: RelayStore.register $(field "$STORE_LINE" store_tx_per_sec) tx/s;" \
    "same SQL on one plain JDBC connection: $(field "$STORE_LINE" jdbc_tx_per_sec) tx/s"
fi
echo

STATUS=0
ratio_line() { # NAME NUM DEN TARGET
  local r verdict
  r="$(calc '%.3f' "$2 / $3")"
  verdict="$(awk "BEGIN { print ($r >= $4) ? \"PASS\" : \"FAIL\" }")"
  [ "$verdict" = FAIL ] && STATUS=3
  printf '%-44s %8s   target >= %-4s %s\n' "$1" "$r" "$4" "$verdict"
}
ratio_line "lookup_token / baseline" "${RPS[lookup_token]}" "${RPS[baseline]}" "$TOKEN_TARGET"
ratio_line "register / Ed25519 bound" "${RPS[register]}" "$BOUND" "$REGISTER_TARGET"
printf '%-44s %8s   (no target; the bound set with the faster verifier the relay uses)\n' \
  "register / (cores x Bouncy Castle verify)" "$(calc '%.3f' "${RPS[register]} / ($CORES * $BC_RATE)")"
printf '%-44s %8s   (no target)\n' "lookup_signed / Ed25519 bound" "$(calc '%.3f' "${RPS[lookup_signed]} / $BOUND")"
printf '%-44s %8s   (no target)\n' "register / lookup_signed" "$(calc '%.3f' "${RPS[register]} / ${RPS[lookup_signed]}")"
printf '%-44s %8s   (no target; relay CPU per register / per signed lookup)\n' "register us / lookup_signed us" \
  "$(calc '%.3f' "$(field "${RESULT[register]}" relay_us) / $(field "${RESULT[lookup_signed]}" relay_us)")"
# The same ratio with the bound measured after the runs; then both sides in CPU time, which
# time-slicing on a shared machine does not change: a register costs relay_us of relay CPU, a
# verification 1 / tink_per_cpu_sec, so with every core to itself (no wrk beside it, nothing
# else running) the relay would reach 1 / (relay_us x tink_per_cpu_sec) of the bound.
printf '%-44s %8s   (no target; bound from the end-of-run verify rate)\n' "register / Ed25519 bound (end rate)" \
  "$(calc '%.3f' "${RPS[register]} / ($CORES * $TINK_RATE_END)")"
REG_VERIFIES="$(calc '%.3f' "$(field "${RESULT[register]}" relay_us) * $TINK_CPU / 1e6")"
printf '%-44s %8s   (no target; relay CPU per register / CPU per Tink verification)\n' "register CPU / verify CPU" \
  "$REG_VERIFIES"
printf '%-44s %8s   (no target; 1 / the line above)\n' "register / bound, in CPU time" "$(calc '%.3f' "1 / $REG_VERIFIES")"
for w in ${WARNINGS[@]+"${WARNINGS[@]}"}; do echo "WARNING: $w"; done
DURING="$(head -n "$RELAY_ERR_LINES" "$WORK/relay.err" | grep -c ' ERROR \| WARN ' || true)"
AT_STOP="$(tail -n +"$((RELAY_ERR_LINES + 1))" "$WORK/relay.err" | grep -c ' ERROR ' || true)"
if [ "$DURING" != 0 ]; then
  echo "WARNING: the relay logged $DURING warnings or errors during the runs, e.g.:"
  head -n "$RELAY_ERR_LINES" "$WORK/relay.err" | grep ' ERROR \| WARN ' | head -n 3
fi
if [ "$AT_STOP" != 0 ]; then
  echo "NOTE: $AT_STOP ERROR lines while the relay stopped right after the register run" \
    "($(tail -n +"$((RELAY_ERR_LINES + 1))" "$WORK/relay.err" | grep -o 'Pool closed\|Connection is closed' | sort -u | paste -sd, -))"
fi
if [ "${BENCH_STRICT:-0}" = 1 ]; then exit "$STATUS"; fi
