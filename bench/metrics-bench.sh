#!/usr/bin/env bash
# Node /metrics scrape cost (see BENCHMARKS.md): CPU time of one scrape (snapshot copied into the
# Micrometer meters + Prometheus text) with 50 peers, median and p99 over 2,000 scrapes.
#
# Usage: bench/metrics-bench.sh [peers=50] [scrapes=2000]
set -euo pipefail
BENCH_LOG_TAG="[metrics-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

bench_test_compile
bench_test_classpath

bench_title "kinmesh node /metrics scrape benchmark"
echo "load average (start): $(load_avg)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-300}" \
  java ${BENCH_JAVA_OPTS:--Xmx512m} -cp "$CP" \
  org.kinmesh.bench.MetricsScrapeBench "$@" || rc=$?
bench_finish "$rc"
