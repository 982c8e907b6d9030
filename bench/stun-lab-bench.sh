#!/usr/bin/env bash
# STUN classification benchmark in the NAT lab (see BENCHMARKS.md, docs/natlab.md): how long a
# full RFC 5780 classification (test I, the two filtering tests, mapping tests II/III) takes
# behind each NAT kind, ours side by side with coturn's turnutils_natdiscovery, in one run.
#
# Per kind (hosts open, full_cone, restricted, port_restricted, symmetric, each behind its own
# nftables router), one after the other so they do not compete for the CPU:
#   kinmesh warm    StunClassifyBench: BENCH_RUNS probes in one JVM, each from a fresh UDP
#                   socket (no NAT state left by the previous run); the first is reported
#                   apart as "cold", the median/min/max are over the others. Against coturn,
#                   and (BENCH_RELAY=1) against the kinmesh relay's own STUN responder.
#   kinmesh CLI     `kinmesh stun --json` BENCH_CLI_RUNS times: the probe's own elapsed_ms in a
#                   fresh JVM (what a user sees, minus JVM start), and the process wall time.
#   coturn          `turnutils_natdiscovery -m -f` BENCH_COTURN_RUNS times: wall time, timed
#                   inside the host namespace (a C program: start-up is a few ms).
# Every verdict is checked against the kind the router was built as; a wrong one is printed
# as MISMATCH and makes the script exit 3. Target: warm median under 300 ms for every kind.
#
# Needs root and the lab's tools (bin/natlab check). Knobs (environment): BENCH_RUNS (21),
# BENCH_CLI_RUNS (3), BENCH_COTURN_RUNS (3), BENCH_RELAY (1), BENCH_STRICT=1 (exit 3 when the
# 300 ms target is missed too).
set -euo pipefail
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

RUNS="${BENCH_RUNS:-21}"
CLI_RUNS="${BENCH_CLI_RUNS:-3}"
COTURN_RUNS="${BENCH_COTURN_RUNS:-3}"
WITH_RELAY="${BENCH_RELAY:-1}"
TARGET_MS=300
KINDS=(open full_cone restricted port_restricted symmetric)

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print a[(NR + 1) / 2]; else print int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'; }

[[ "$RUNS" =~ ^[0-9]+$ && "$RUNS" -ge 2 ]] || die "BENCH_RUNS must be a number >= 2"
[[ "$CLI_RUNS" =~ ^[0-9]+$ && "$COTURN_RUNS" =~ ^[0-9]+$ ]] || die "BENCH_CLI_RUNS and BENCH_COTURN_RUNS must be numbers"

bin/natlab check >/dev/null || die "the NAT lab cannot run here (bin/natlab check says why; it needs root)"

# --- build: the test classpath (StunClassifyBench lives in the test sources) -------------
bench_test_compile
bench_test_classpath
WORK="$(mktemp -d /tmp/stun-lab-bench.XXXXXX)"
RUN="sb$(printf '%x' $$)"
cleanup() {
  bin/natlab down "$RUN" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
JAVA="$(command -v java)"

# --- the lab ---------------------------------------------------------------------------
hosts=""
for k in "${KINDS[@]}"; do
  h="${k//_/}"; h="${h:0:8}"
  hosts="${hosts:+$hosts,}$h:$k"
done
log "building lab $RUN ($hosts)"
bin/natlab up "$RUN" --hosts "$hosts" --owner $$ > "$WORK/topology.txt"
topo() { grep "^$1 " "$WORK/topology.txt" | grep -o " $2=[^ ]*" | head -1 | cut -d= -f2; }
STUN_IP="$(topo stun primary)"
RELAY_IP="$(topo relay ip)"
RELAY_ALT="$(topo relay alternate)"
inlab() { local h="$1"; shift; bin/natlab exec "$RUN" "$h" -- "$@"; }

if [ "$WITH_RELAY" = 1 ]; then
  printf '{"listen_addr":"%s:0","db_path":"%s/relay.db","stun_listen":"%s:3478","stun_alternate":"%s"}' \
    "$RELAY_IP" "$WORK" "$RELAY_IP" "$RELAY_ALT" > "$WORK/relay.json"
  log "starting the kinmesh relay (STUN on $RELAY_IP:3478, alternate $RELAY_ALT:3479)"
  bin/natlab exec "$RUN" relay -- "$JAVA" -cp "$CP" org.kinmesh.cli.Main relay -conf "$WORK/relay.json" \
    > "$WORK/relay.out" 2> "$WORK/relay.err" &
  for _ in $(seq 1 600); do
    grep -q "^kinmesh relay stun on udp" "$WORK/relay.out" 2>/dev/null && break
    kill -0 $! 2>/dev/null || die "the relay did not start: $(tail -5 "$WORK/relay.err")"
    sleep 0.1 # waiting for another process's start-up line in a script, bounded to 60 s
  done
  grep -q "^kinmesh relay stun on udp" "$WORK/relay.out" || die "the relay did not start within 60 s"
fi

# --- measure ---------------------------------------------------------------------------
status=0
missed=0
results=()
check() { # check KIND WHAT VERDICT
  if [ "$3" != "$1" ]; then
    echo "MISMATCH: $2 behind $1 classified $3" >&2
    status=3
  fi
}
for k in "${KINDS[@]}"; do
  h="${k//_/}"; h="${h:0:8}"
  log "$k: kinmesh warm x$RUNS against coturn"
  out="$(inlab "$h" "$JAVA" -cp "$CP" org.kinmesh.lab.StunClassifyBench "$RUNS" "$STUN_IP:3478" 2>>"$WORK/bench.err")"
  s="$(grep '^summary ' <<<"$out")"
  grep -q '^warning' <<<"$out" && { echo "MISMATCH: kinmesh runs disagree behind $k" >&2; status=3; }
  check "$k" "kinmesh (coturn)" "$(field "$s" nat)"
  warm="$(field "$s" median_ms)"; cold="$(field "$s" cold_ms)"
  range="$(field "$s" min_ms)-$(field "$s" max_ms)"
  [ "$warm" -lt "$TARGET_MS" ] || missed=1

  rwarm="-"; rrange="-"
  if [ "$WITH_RELAY" = 1 ]; then
    log "$k: kinmesh warm x$RUNS against the relay's responder"
    rout="$(inlab "$h" "$JAVA" -cp "$CP" org.kinmesh.lab.StunClassifyBench "$RUNS" "$RELAY_IP:3478" 2>>"$WORK/bench.err")"
    rs="$(grep '^summary ' <<<"$rout")"
    check "$k" "kinmesh (relay)" "$(field "$rs" nat)"
    rwarm="$(field "$rs" median_ms)"; rrange="$(field "$rs" min_ms)-$(field "$rs" max_ms)"
    [ "$rwarm" -lt "$TARGET_MS" ] || missed=1
  fi

  : > "$WORK/cli.ms"; : > "$WORK/cli.wall"
  for _ in $(seq 1 "$CLI_RUNS"); do
    t0=$(date +%s%N)
    j="$(inlab "$h" "$JAVA" -cp "$CP" org.kinmesh.cli.Main stun --json "$STUN_IP:3478" 2>>"$WORK/bench.err")"
    t1=$(date +%s%N)
    check "$k" "kinmesh stun (CLI)" "$(sed -n 's/.*"nat_type":"\([a-z_]*\)".*/\1/p' <<<"$j")"
    sed -n 's/.*"elapsed_ms":\([0-9]*\).*/\1/p' <<<"$j" >> "$WORK/cli.ms"
    echo $(( (t1 - t0) / 1000000 )) >> "$WORK/cli.wall"
  done

  : > "$WORK/coturn.ms"
  verdict=""
  for _ in $(seq 1 "$COTURN_RUNS"); do
    o="$(inlab "$h" bash -c 's=$(date +%s%N); turnutils_natdiscovery -m -f "$1" 2>&1; e=$(date +%s%N); echo "wall_ns=$((e - s))"' _ "$STUN_IP")"
    echo $(( $(sed -n 's/^wall_ns=//p' <<<"$o") / 1000000 )) >> "$WORK/coturn.ms"
    verdict="$(grep '^NAT with' <<<"$o" | sed 's/NAT with //; s/!//' | paste -sd/ -)"
  done
  results+=("$(printf '%-16s %8s %9s %8s %9s %10s %9s %10s  %s' "$k" "$warm" "$range" "$cold" "$rwarm" \
    "$(median < "$WORK/cli.ms")" "$(median < "$WORK/cli.wall")" "$(median < "$WORK/coturn.ms")" "$verdict")")
done

echo
echo "STUN classification in the NAT lab ($(nproc) cores, load $(load_avg)), ms"
echo "kinmesh: median of $((RUNS - 1)) warm runs (min-max), the cold first run; relay: same against the relay's responder;"
echo "CLI: median of $CLI_RUNS 'kinmesh stun --json' (elapsed_ms, process wall); coturn: median wall of $COTURN_RUNS 'turnutils_natdiscovery -m -f'"
printf '%-16s %8s %9s %8s %9s %10s %9s %10s  %s\n' kind kinmesh min-max cold relay cli_probe cli_wall coturn "coturn's verdict (mapping/filtering)"
printf '%s\n' "${results[@]}"
echo "target: warm median < $TARGET_MS ms for every kind: $([ "$missed" = 0 ] && echo met || echo MISSED)"
if [ "$missed" = 1 ] && [ "${BENCH_STRICT:-0}" = 1 ]; then
  status=3
fi
exit "$status"
