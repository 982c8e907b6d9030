#!/usr/bin/env bash
# Session-layer benchmark (issue 15; docs/security.md, "Session layer"): the CPU of a full
# Noise IK handshake with the kinmesh payload checks, per side (target <= 0.5 ms), with SHA256
# (the default) and BLAKE2s; and 1 KiB transport frames sealed and opened on one thread, in MB
# of payload per CPU-second (target >= 100 MB/s per core). Pure CPU: no sockets, no relay.
#
# Usage: bench/noise-bench.sh [handshakes=2000] [frames=200000] [frameBytes=1024]
# Env: BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_JAVA_OPTS (default -Xmx512m),
#      BENCH_TIMEOUT (hard bound on the Java run, seconds; default 600).
set -euo pipefail
BENCH_LOG_TAG="[noise-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_test_compile
bench_test_classpath

bench_title "kinmesh session-layer (Noise) benchmark"
echo "load average (start): $(load_avg)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-600}" \
  java ${BENCH_JAVA_OPTS:--Xmx512m} -cp "$CP" org.kinmesh.bench.NoiseBench "$@" || rc=$?
bench_finish "$rc"
