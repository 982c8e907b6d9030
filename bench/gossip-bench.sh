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
cd "$(dirname "$0")/.."

log() { echo "[gossip-bench] $*" >&2; }

log "mvn -B -o -q test-compile"
mvn -B -o -q test-compile
if [ ! -s target/bench-test-classpath.txt ] || [ pom.xml -nt target/bench-test-classpath.txt ]; then
  log "resolving the test classpath (offline)"
  mvn -B -o -q dependency:build-classpath -Dmdep.outputFile=target/bench-test-classpath.txt >/dev/null
fi
CP="target/test-classes:target/classes:$(cat target/bench-test-classpath.txt)"

echo "kinmesh gossip benchmark  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -n1)"
echo "load average (start): $(cut -d' ' -f1-3 /proc/loadavg)"
rc=0
# 1,000 nodes log their start-up at INFO: keep only warnings unless asked.
export KINMESH_LOG_LEVEL="${KINMESH_LOG_LEVEL:-WARN}"
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-900}" \
  java ${BENCH_JAVA_OPTS:--Xmx2g} -cp "$CP" \
  org.kinmesh.bench.GossipBench "$@" || rc=$?
echo "load average (end): $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$rc" = 3 ]; then
  echo "at least one target missed (see FAIL above)"
  [ "${BENCH_STRICT:-0}" = 1 ] && exit 3
  exit 0
fi
exit "$rc"
