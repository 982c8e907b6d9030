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
cd "$(dirname "$0")/.."

log() { echo "[consensus-bench] $*" >&2; }

log "mvn -B -o -q test-compile"
mvn -B -o -q test-compile
# The bench class uses the package-private TestNetwork fixture, which needs the test classpath.
if [ ! -s target/bench-test-classpath.txt ] || [ pom.xml -nt target/bench-test-classpath.txt ]; then
  log "resolving the test classpath (offline)"
  mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=target/bench-test-classpath.txt >/dev/null
fi
CP="target/test-classes:target/classes:$(cat target/bench-test-classpath.txt)"

echo "kinmesh consensus benchmark  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -n1)"
echo "load average (start): $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-300}" \
  java ${BENCH_JAVA_OPTS:-} -cp "$CP" \
  org.kinmesh.node.ConsensusBench "$@" || rc=$?
echo "load average (end): $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$rc" = 3 ]; then
  echo "at least one target missed (see FAIL above)"
  [ "${BENCH_STRICT:-0}" = 1 ] && exit 3
  exit 0
fi
exit "$rc"
