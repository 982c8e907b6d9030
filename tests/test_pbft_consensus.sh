#!/usr/bin/env bash
# PBFT consensus end to end with real processes, as the seed's test_pbft_consensus.sh did:
# relay first, four nodes with --relay-server, wait for registration (relay /lookup), assert
# 2f + 1 connectivity before consensus, then verify that every node proposed or voted in every
# phase (pre-prepare, prepare, commit) and committed the same blocks. Every log is gathered on
# failure. Only loopback; every process is stopped on exit.
#   usage: tests/test_pbft_consensus.sh [TARGET_HEIGHT]   (env KINMESH_JAR: the fat jar)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${KINMESH_JAR:-$root/target/kinmesh.jar}"
target="${1:-4}"
n=4
f=$(( (n - 1) / 3 ))
need=$(( 2 * f + 1 ))
work="$(mktemp -d -t kinmesh-pbft.XXXXXX)"
pids=()
kinmesh() { java -jar "$jar" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d}))" "$1"; }

cleanup() {
  rc=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "FAILED (exit $rc); logs:" >&2
    for log in "$work"/*.log; do echo "---- $log" >&2; tail -n 40 "$log" >&2; done
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

wait_for() { # seconds, description, command...
  local secs="$1" what="$2"; shift 2
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $end ] || fail "$what (waited ${secs}s)"
    sleep 0.5 # polling processes this script does not drive
  done
}

echo "== keys and genesis in $work"
guardian=$(kinmesh keygen --out "$work/guardian.key")
keys=()
for i in $(seq 0 $((n - 1))); do keys+=("$(kinmesh keygen --out "$work/node$i.key")"); done
nodes_json=""
for i in $(seq 0 $((n - 1))); do
  [ -z "$nodes_json" ] || nodes_json="$nodes_json,"
  nodes_json="$nodes_json{\"pubkey\":\"${keys[$i]}\",\"node_id\":$((i + 1))}"
done
cat > "$work/spec.json" <<JSON
{"blockchain_id": "pbft_test", "deauth_threshold": 1,
 "guardians": [{"pubkey": "$guardian", "display_name": "Guardian"}],
 "consensus_nodes": [$nodes_json]}
JSON
kinmesh genesis --spec "$work/spec.json" --out "$work/genesis.json" >/dev/null

echo "== relay first"
cat > "$work/relay.json" <<JSON
{"listen_addr": "127.0.0.1:0", "db_path": "$work/relay.db", "bootstrap": ["$work/genesis.json"], "http_instances": 1}
JSON
java -jar "$jar" relay -conf "$work/relay.json" > "$work/relay.out" 2> "$work/relay.log" &
pids+=($!)
wait_for 60 "relay did not start" grep -q "listening on" "$work/relay.out"
relay=$(grep -o 'http://[0-9.:]*' "$work/relay.out" | head -1)
echo "relay at $relay"

echo "== $n nodes with --relay-server"
for i in $(seq 0 $((n - 1))); do
  cat > "$work/node$i.json" <<JSON
{"identity_path": "$work/node$i.key", "genesis_path": "$work/genesis.json", "data_dir": "$work/node$i",
 "api_listen": "127.0.0.1:0", "listen_host": "127.0.0.1", "gossip_udp_port": 0, "block_interval_ms": 200, "empty_block_interval_ms": 800}
JSON
  java -jar "$jar" node -conf "$work/node$i.json" --relay-server "$relay" > "$work/node$i.out" 2> "$work/node$i.log" &
  pids+=($!)
done
apis=()
for i in $(seq 0 $((n - 1))); do
  wait_for 60 "node$i did not start" test -s "$work/node$i/api.port"
  apis+=("http://127.0.0.1:$(cat "$work/node$i/api.port")")
done

echo "== registration (relay lookup of every node)"
for i in $(seq 0 $((n - 1))); do
  wait_for 60 "node$i never registered" kinmesh relay-client lookup --relay "$relay" --key "$work/node0.key" \
    --id pbft_test --pubkey "${keys[$i]}"
done

echo "== 2f + 1 = $need connectivity before consensus"
connected() { curl -sf "$1/peers" | json "sum(1 for p in d if p['state'] == 'connected')"; }
for i in $(seq 0 $((n - 1))); do
  wait_for 60 "node$i has fewer than $((need - 1)) connected peers" \
    bash -c "[ \"\$(curl -sf ${apis[$i]}/peers | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin) if p[\"state\"] == \"connected\"))')\" -ge $((need - 1)) ]"
  echo "node$i: $(connected "${apis[$i]}") peers connected"
done

echo "== blocks to height $target on every node"
for i in $(seq 0 $((n - 1))); do
  wait_for 120 "node$i did not reach height $target" \
    bash -c "[ \"\$(curl -sf ${apis[$i]}/status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"height\"])')\" -ge $target ]"
done

echo "== proposed, prepared and committed on every node"
proposed_total=0
for i in $(seq 0 $((n - 1))); do
  status=$(curl -sf "${apis[$i]}/status")
  prepares=$(echo "$status" | json "d['phases']['prepare_votes']")
  commits=$(echo "$status" | json "d['phases']['commit_votes']")
  committed=$(echo "$status" | json "d['phases']['committed']")
  proposed=$(echo "$status" | json "d['phases']['proposed']")
  proposed_total=$((proposed_total + proposed))
  echo "node$i: proposed=$proposed prepare_votes=$prepares commit_votes=$commits committed=$committed"
  [ "$prepares" -ge 1 ] || fail "node$i sent no PREPARE"
  [ "$commits" -ge 1 ] || fail "node$i sent no COMMIT"
  [ "$committed" -ge "$target" ] || fail "node$i committed $committed blocks, expected $target"
done
[ "$proposed_total" -ge "$target" ] || fail "only $proposed_total proposals for $target blocks"

echo "== the same block at every height on every node"
for h in $(seq 1 "$target"); do
  first=""
  for i in $(seq 0 $((n - 1))); do
    hash=$(curl -sf "${apis[$i]}/blocks/$h" | json "d['hash']")
    [ -n "$first" ] || first="$hash"
    [ "$hash" = "$first" ] || fail "fork at height $h: node0 has $first, node$i has $hash"
  done
  echo "height $h: $first"
done
echo "PASS: $n nodes, $target blocks, identical on every node"
