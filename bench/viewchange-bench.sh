#!/usr/bin/env bash
# View-change benchmark (issue 12, item 2; see docs/consensus.md "Adaptive view timeouts"): four
# nodes in one JVM (each its own Vert.x) on loopback with the DEFAULT consensus config, under a
# steady transaction load. Prints (i) the time from killing the primary to the next commit, over
# several kills (target <= 3 s), and (ii) the view changes over a run with all nodes up (each one
# spurious; target 0), with PASS/FAIL beside each.
#
# Usage: bench/viewchange-bench.sh [kills=5] [runSecs=600] [txPerSec=20]
# Env: BENCH_STRICT=1 (exit 3 when a target is missed), BENCH_JAVA_OPTS (extra JVM options),
#      BENCH_TIMEOUT (hard bound on the Java run, seconds; default runSecs + 600).
set -euo pipefail
BENCH_LOG_TAG="[viewchange-bench]"
# shellcheck source=bench/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

run_secs="${2:-600}"
bench_test_compile
# The harness uses the package-private TestNetwork fixture, which needs the test classpath.
bench_test_classpath

bench_title "kinmesh view-change benchmark"
echo "load average (start): $(load_avg)"
rc=0
# shellcheck disable=SC2086
timeout --kill-after=10 "${BENCH_TIMEOUT:-$((run_secs + 600))}" \
  java ${BENCH_JAVA_OPTS:-} -cp "$CP" \
  org.kinmesh.node.ViewChangeBench "$@" 2> >(grep -E "WARN|ERROR" | grep -v "op=reject" | tail -n 20 >&2) || rc=$?
bench_finish "$rc"
