#!/usr/bin/env bash
# A node that was away longer than the view timeout votes again (issue 12, item 1), with real
# processes: four nodes and a relay on loopback, as tests/test_pbft_consensus.sh starts them.
#   usage: tests/test_rejoin.sh sleep|early   (env KINMESH_JAR: the fat jar)
# sleep: SIGSTOP one node (a laptop that sleeps) for 3 x the view timeout, then SIGCONT. Its view
#   timer is long overdue when it wakes: it fires at once and the node asks alone for the next
#   view, exactly as after 20 s with the default 10 s timeout; only the ratio matters.
# early: one node boots 3 x the view timeout before the others (the always-on machine).
# Either way its key must be in the commit certificate of a block committed after it came back,
# within REJOIN_BOUND seconds, and its /status must not say healthy while it is not voting.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="${KINMESH_JAR:-$root/target/kinmesh.jar}"
scenario="${1:-sleep}"
n=4
view_timeout_ms=3000
away=$(( 3 * view_timeout_ms / 1000 ))
bound="${REJOIN_BOUND:-30}"
work="$(mktemp -d -t kinmesh-rejoin.XXXXXX)"
pids=()
kinmesh() { java -jar "$jar" "$@"; }
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1], {'d': d, 'json': json}))" "$1"; }

cleanup() {
  rc=$?
  for pid in "${pids[@]}"; do kill -CONT "$pid" 2>/dev/null || true; kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$rc" -ne 0 ]; then
    echo "FAILED (exit $rc); logs:" >&2
    for log in "$work"/*.log; do echo "---- $log" >&2; grep -v "op=reject" "$log" | tail -n 25 >&2; done
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
    sleep 0.2 # polling processes this script does not drive
  done
}

guardian=$(kinmesh keygen --out "$work/guardian.key")
keys=()
for i in $(seq 0 $((n - 1))); do keys+=("$(kinmesh keygen --out "$work/node$i.key")"); done
nodes_json=""
for i in $(seq 0 $((n - 1))); do
  [ -z "$nodes_json" ] || nodes_json="$nodes_json,"
  nodes_json="$nodes_json{\"pubkey\":\"${keys[$i]}\",\"node_id\":$((i + 1))}"
done
cat > "$work/spec.json" <<JSON
{"blockchain_id": "rejoin_test", "deauth_threshold": 1,
 "guardians": [{"pubkey": "$guardian", "display_name": "Guardian"}],
 "consensus_nodes": [$nodes_json]}
JSON
kinmesh genesis --spec "$work/spec.json" --out "$work/genesis.json" >/dev/null
cat > "$work/relay.json" <<JSON
{"listen_addr": "127.0.0.1:0", "db_path": "$work/relay.db", "bootstrap": ["$work/genesis.json"], "http_instances": 1}
JSON
java -jar "$jar" relay -conf "$work/relay.json" > "$work/relay.out" 2> "$work/relay.log" &
pids+=($!)
wait_for 60 "relay did not start" grep -q "listening on" "$work/relay.out"
relay=$(grep -o 'http://[0-9.:]*' "$work/relay.out" | head -1)

declare -A pid_of
start_node() {
  local i="$1"
  cat > "$work/node$i.json" <<JSON
{"identity_path": "$work/node$i.key", "genesis_path": "$work/genesis.json", "data_dir": "$work/node$i",
 "api_listen": "127.0.0.1:0", "listen_host": "127.0.0.1", "gossip_udp_port": 0, "block_interval_ms": 200,
 "empty_block_interval_ms": 800, "intervals": {"view_change_timeout_ms": $view_timeout_ms, "peer_retry_max_secs": 2}}
JSON
  java -jar "$jar" node -conf "$work/node$i.json" --relay-server "$relay" > "$work/node$i.out" 2> "$work/node$i.log" &
  pids+=($!)
  pid_of[$i]=$!
  wait_for 180 "node$i did not start" test -s "$work/node$i/api.port"
}
api() { echo "http://127.0.0.1:$(cat "$work/node$1/api.port")"; }
height() { curl -sf "$(api "$1")/status" | json "d['height']"; }
# Whether node $2's key signed the commit certificate of some block above height $3, as stored
# on node $1 (what becomes the next block's last_commit_signers). A node that only follows by
# certificate stores the others' commits, never its own.
signed_above() {
  local reader="$1" key="$2" from="$3" top h
  top=$(height "$reader")
  for h in $(seq $((from + 1)) "$top"); do
    curl -sf "$(api "$reader")/blocks/$h" | json "'$key' in json.dumps(d.get('commit_certificate'))" \
      | grep -q True && return 0
  done
  return 1
}
# A status that says healthy must come from a node that votes.
honest_status() {
  local s; s=$(curl -sf "$(api "$1")/status")
  echo "$s" | json "d['quorum']['mode'] != 'healthy' or d.get('participation', {}).get('voting', False)" | grep -q True
}

lone=1
if [ "$scenario" = early ]; then
  echo "== node$lone boots ${away}s before the others"
  start_node $lone
  sleep "$away" # the scenario itself: time alone, longer than the view timeout
  for i in 0 2 3; do start_node $i; done
  back_height=0
else
  for i in $(seq 0 $((n - 1))); do start_node $i; done
  wait_for 90 "no block on node0" bash -c "[ \"\$(curl -sf $(api 0)/status | python3 -c 'import json,sys; print(json.load(sys.stdin)[\"height\"])')\" -ge 3 ]"
  # Not the primary: freezing that one makes the others change view, which would bring the
  # sleeper back through the later-view rule and hide the defect.
  primary=$(curl -sf "$(api 0)/status" | json "d['primary']")
  for i in 1 2 3 0; do [ "${keys[$i]}" = "$primary" ] || { lone=$i; break; }; done
  echo "== SIGSTOP node$lone for ${away}s (3 x the ${view_timeout_ms} ms view timeout)"
  kill -STOP "${pid_of[$lone]}"
  sleep "$away" # the scenario itself: how long the laptop sleeps
  kill -CONT "${pid_of[$lone]}"
  back_height=$(height 0)
fi
t0=$SECONDS
echo "== node$lone back at height $back_height; waiting up to ${bound}s for its vote"
signed_anywhere() { # a block's certificate holds the first threshold of commits to arrive: look on every node
  local r; for r in $(seq 0 $((n - 1))); do signed_above "$r" "$1" "$2" && return 0; done; return 1
}
end=$((SECONDS + bound))
until signed_anywhere "${keys[$lone]}" "$back_height"; do
  honest_status $lone || fail "node$lone says healthy but is not voting: $(curl -sf "$(api $lone)/status")"
  [ $SECONDS -lt $end ] || fail "node$lone not in any commit certificate ${bound}s after it came back; its status: $(curl -sf "$(api $lone)/status" | json "{k: d[k] for k in ('view','in_view_change','participation','height')}"); node0: $(curl -sf "$(api 0)/status" | json "{k: d[k] for k in ('view','height')}")"
  sleep 0.2
done
echo "node$lone signed a block within $((SECONDS - t0))s: $(curl -sf "$(api $lone)/status" | json "d['participation']")"
honest_status $lone || fail "node$lone status inconsistent after rejoining"
echo "PASS: $scenario: node$lone votes again"
