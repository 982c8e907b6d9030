#!/usr/bin/env bash
# Consensus benchmark (see BENCHMARKS.md): a relay and four nodes in one JVM (each node its own
# Vert.x) on loopback; prints cold start, commit latency p50/p99 of empty blocks, of one transaction
# and of a batch, throughput of 256-byte DATA transactions (and the CPU it took), each node's
# per-phase timing, with the targets and PASS/FAIL beside each figure.
#
# Usage: bench/consensus-bench.sh [latencySamples=200] [throughputTxs=5000] [inFlight=1000]
#                                 [blockIntervalMs=10] [throughputBoundSecs=30] [latencyGapMs=50]
#                                 [batchSize=100] [batchSamples=20]
# Env: BENCH_KEEP=1 (keep the temp data dir), BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_JAVA_OPTS (extra JVM options),
#      BENCH_TIMEOUT (hard bound on the Java run, seconds; default 300).
set -euo pipefail
BENCH_LOG_TAG="[consensus-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_test_compile
# The bench class uses the package-private TestNetwork fixture, which needs the test classpath.
bench_test_classpath

bench_title "kinmesh consensus benchmark"
echo "load average (start): $(load_avg)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-300}" \
  java ${BENCH_JAVA_OPTS:-} -cp "$CP" \
  org.kinmesh.node.ConsensusBench "$@" || rc=$?
bench_finish "$rc"
