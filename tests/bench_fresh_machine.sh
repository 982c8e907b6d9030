#!/usr/bin/env bash
# Every bench/*.sh on a "fresh machine": a local Maven repository that holds only what the
# README's two commands download (`bin/test` builds with `mvn -B verify`), then each bench script
# at its smallest size with that repository (MAVEN_OPTS=-Dmaven.repo.local=DIR). Bench scripts
# used to build with `mvn -o` and died on the dependency plugin, which no earlier build fetched.
# NOT part of bin/test: it downloads from Maven Central. The NAT-lab benches need root and the
# lab's tools; they are skipped, saying so, otherwise.
#   usage: tests/bench_fresh_machine.sh [M2_DIR]   (default: a new empty temp dir, removed after)
#   env:   FRESH_SKIP_VERIFY=1  M2_DIR already holds the bin/test downloads
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
m2="${1:-}"
if [ -z "$m2" ]; then
  m2="$(mktemp -d -t fresh-m2.XXXXXX)"
  trap 'rm -rf "$m2"' EXIT
fi
export MAVEN_OPTS="-Dmaven.repo.local=$m2"
say() { echo "[fresh] $*" >&2; }

if [ "${FRESH_SKIP_VERIFY:-0}" != 1 ]; then
  say "what bin/test downloads: mvn -B -DskipTests verify into $m2"
  mvn -B -q -DskipTests verify
fi

failed=()
run() {
  local name="$1"
  shift
  say "$name: $*"
  if env "$@" >"/tmp/fresh-$name.log" 2>&1; then
    say "$name: ok ($(tail -n 1 "/tmp/fresh-$name.log"))"
  else
    say "$name: FAILED (exit $?), log /tmp/fresh-$name.log:"
    tail -n 20 "/tmp/fresh-$name.log" >&2
    failed+=("$name")
  fi
}

run consensus BENCH_TIMEOUT=300 bash bench/consensus-bench.sh 5 20 10
run gossip BENCH_JAVA_OPTS=-Xmx512m bash bench/gossip-bench.sh 20 3 10
run relay BENCH_DURATION=1 BENCH_WARMUP=1 BENCH_REGISTER_WARMUP=1 BENCH_KEYS=50 BENCH_CONNECTIONS=2 \
  BENCH_THREADS=1 BENCH_STORE_DIAG=0 bash bench/relay-bench.sh
run relayed BENCH_SIZES=64 BENCH_PAIRS=1 BENCH_WARMUP=1 BENCH_DURATION=1 BENCH_ROUNDS=1 BENCH_FIRST_WARMUP=1 \
  BENCH_HTTP_INSTANCES=1 bash bench/relayed-bench.sh
run stun BENCH_SOCKETS=1 BENCH_WARMUP=1 BENCH_SLICE=1 BENCH_ROUNDS=1 BENCH_PROBES=2 bash bench/stun-bench.sh
run flood BENCH_FLOOD_COUNT=500 BENCH_FLOOD_HOLD=15 bash bench/flood-bench.sh
if [ "$(id -u)" = 0 ] && bin/natlab check >/dev/null 2>&1; then
  run stun-lab BENCH_RUNS=2 BENCH_CLI_RUNS=1 BENCH_COTURN_RUNS=1 BENCH_RELAY=0 bash bench/stun-lab-bench.sh
  run nat BENCH_COMMIT_SAMPLES=5 BENCH_COMMIT_ROUNDS=1 BENCH_TIMEOUT=600 bash bench/nat-bench.sh commit
else
  say "stun-lab, nat: skipped (need root and the NAT lab's tools: bin/natlab check)"
fi

if [ ${#failed[@]} -gt 0 ]; then
  say "FAIL: ${failed[*]}"
  exit 1
fi
say "PASS: every bench script ran with only the bin/test downloads in $m2"
