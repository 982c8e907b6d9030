#!/usr/bin/env bash
# NAT traversal benchmark (see BENCHMARKS.md, "NAT traversal"), in the NAT lab (docs/natlab.md;
# needs root with iproute2, nftables, coturn, conntrack and curl):
#   (a) the NAT kind x NAT kind matrix and the time to a direct path once both sides know each
#       other's endpoints: BENCH_MATRIX_RUNS fresh labs with one node behind each NAT kind (open,
#       full_cone, restricted, port_restricted, symmetric) and the relay; median/p90 over every
#       direct pair of every run;
#   (b) commit latency over direct vs relayed paths, side by side in one run: one four-node lab
#       (open, full_cone, restricted, port_restricted), its chain run with the default policy and
#       again with force_relay: true on every node (BENCH_COMMIT_ROUNDS times each, alternating);
#       a client in each node's namespace submits transactions to its own node and the nodes'
#       commit log lines time them; medians and the ratio relayed / direct.
#   (c) relay forwarding throughput (frames/s per core) is bench/relayed-bench.sh's.
#
# Usage: bench/nat-bench.sh [matrix|commit|all]     (default: all)
# Env: BENCH_MATRIX_RUNS (3), BENCH_WINDOW (45: seconds a pair may take to become direct before
#      it counts as relayed), BENCH_MATRIX_LAB (five: one node per kind; pairs: two per kind, ten
#      nodes, so same-kind pairs too), BENCH_COMMIT_SAMPLES (25 per node per run), BENCH_COMMIT_ROUNDS (2),
#      BENCH_TIMEOUT (hard bound on each Java run, seconds; default 1800), BENCH_JAVA_OPTS (options of
#      the harness JVM, e.g. -Dkinmesh.lab.debug=LinksVerticle,PunchVerticle: DEBUG logs in the nodes),
#      BENCH_WAIT_OTHERS (600: seconds to wait for other NAT lab runs on the machine to finish).
set -euo pipefail
BENCH_LOG_TAG="[nat-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
WHAT="${1:-all}"
case "$WHAT" in matrix|commit|all) ;; *) echo "usage: bench/nat-bench.sh [matrix|commit|all]" >&2; exit 2 ;; esac

if [ "$(id -u)" -ne 0 ]; then
  echo "nat-bench: the NAT lab needs root (network namespaces, nftables)" >&2
  exit 2
fi
if ! bin/natlab check >/dev/null 2>&1; then
  echo "nat-bench: the NAT lab cannot run here:" >&2
  bin/natlab check >&2 || true
  exit 2
fi

bench_test_compile
# Absolute: the lab's node processes get this classpath and must not depend on a working directory.
bench_test_classpath

# Other sessions' lab runs (tests, benches) share the two cores: wait for them a while, so the
# figures are not theirs too; after BENCH_WAIT_OTHERS seconds (default 600) go ahead and say so.
others() { bin/natlab status 2>/dev/null | grep -c '^run ' || true; }
waited=0
while [ "$(others)" -gt 0 ] && [ "$waited" -lt "${BENCH_WAIT_OTHERS:-600}" ]; do
  [ "$waited" = 0 ] && log "waiting for $(others) other NAT lab run(s) to finish (at most ${BENCH_WAIT_OTHERS:-600} s)"
  sleep 10
  waited=$((waited + 10))
done
others="$(others)"
bench_title "kinmesh NAT traversal benchmark"
echo "load average (start): $(load_avg); other NAT lab runs on the machine: ${others}"

run() {
  # shellcheck disable=SC2086
  timeout --kill-after=30 "${BENCH_TIMEOUT:-1800}" java -Xmx512m ${BENCH_JAVA_OPTS:-} -cp "$CP" \
    -Dkinmesh.natlab="$ROOT/bin/natlab" \
    org.kinmesh.bench.NatTraversalBench "$@"
}

if [ "$WHAT" = matrix ] || [ "$WHAT" = all ]; then
  echo
  echo "== (a) matrix and time to direct: ${BENCH_MATRIX_RUNS:-3} run(s) of the '${BENCH_MATRIX_LAB:-five}' lab," \
    "window ${BENCH_WINDOW:-45} s"
  run matrix "${BENCH_MATRIX_RUNS:-3}" "${BENCH_WINDOW:-45}" "${BENCH_MATRIX_LAB:-five}"
  echo "load average (after the matrix): $(load_avg)"
fi
if [ "$WHAT" = commit ] || [ "$WHAT" = all ]; then
  echo
  echo "== (b) commit latency, direct vs relayed: ${BENCH_COMMIT_SAMPLES:-25} transactions per node per run," \
    "${BENCH_COMMIT_ROUNDS:-2} round(s)"
  run commit "${BENCH_COMMIT_SAMPLES:-25}" "${BENCH_COMMIT_ROUNDS:-2}"
fi
echo
echo "(c) relay forwarding throughput, frames/s per core: bench/relayed-bench.sh (BENCHMARKS.md, relayed traffic)"
echo "load average (end): $(load_avg)"
