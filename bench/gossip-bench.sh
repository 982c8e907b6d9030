#!/usr/bin/env bash
# Gossip benchmark (see BENCHMARKS.md): N gossip nodes (a real UdpTransport and GossipVerticle
# each) in one JVM and one Vert.x on 127.0.0.1; after one node changes its endpoint, the pull
# rounds until every node has it, against ceil(log_{k+1} N) + 2; bytes per node per round;
# memory per table entry.
#
# Usage: bench/gossip-bench.sh [sizes=100,1000] [fanout=3] [maxRounds=25]
# Env: BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_JAVA_OPTS (default -Xmx2g),
#      BENCH_TIMEOUT (hard bound on the Java run, seconds; default 900).
set -euo pipefail
BENCH_LOG_TAG="[gossip-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_test_compile
bench_test_classpath

bench_title "kinmesh gossip benchmark"
echo "load average (start): $(load_avg)"
rc=0
# 1,000 nodes log their start-up at INFO: keep only warnings unless asked.
export KINMESH_LOG_LEVEL="${KINMESH_LOG_LEVEL:-WARN}"
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-900}" \
  java ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$CP" \
  org.kinmesh.bench.GossipBench "$@" || rc=$?
bench_finish "$rc"
