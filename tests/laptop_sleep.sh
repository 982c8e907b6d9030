#!/usr/bin/env bash
# A laptop that sleeps (issue 12): `bin/kinmesh demo` (default config), one non-primary node
# SIGSTOPped for SECS (default 60), then SIGCONT; prints how long after waking it votes again
# (its /status participation) and every node's status. A manual scenario, not part of bin/test.
#   usage: tests/laptop_sleep.sh [SECS]
set -uo pipefail
secs="${1:-60}"
dir=$(mktemp -d -t sleepcheck.XXXX)
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bin/kinmesh demo --dir "$dir" > "$dir/demo.out" 2>&1 &
demo=$!
for i in $(seq 1 120); do [ -f "$dir/node3/api.port" ] && grep -q "committed height" "$dir/demo.out" && break; sleep 1; done
port() { cat "$dir/node$1/api.port"; }
st() { curl -s "http://127.0.0.1:$(port $1)/status"; }
victim=2
primary=$(st 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["primary"])')
vkey=$(st $victim | python3 -c 'import json,sys; print(json.load(sys.stdin)["pubkey"])')
if [ "$primary" = "$vkey" ]; then victim=1; vkey=$(st 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["pubkey"])'); fi
vpid=$(pgrep -f "node$victim.json" | head -1)
echo "victim node$victim pid $vpid key ${vkey:0:12}; status before:"; st $victim | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["height"], d["view"], d["quorum"], d.get("participation"))'
kill -STOP "$vpid"; t0=$(date +%s); echo "SIGSTOP at $(date +%T)"
sleep "$secs"
h0=$(st 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
kill -CONT "$vpid"; echo "SIGCONT at $(date +%T), others at height $h0"
t1=$(date +%s)
for i in $(seq 1 300); do
  v=$(st $victim | python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["participation"]; print(p["last_voted_height"] if p["voting"] else -1)')
  h=$(st 0 | python3 -c 'import json,sys; print(json.load(sys.stdin)["height"])')
  if [ "$v" -gt "$h0" ]; then echo "node$victim votes again (last_voted_height $v, head $h) $(( $(date +%s) - t1 )) s after SIGCONT"; break; fi
  sleep 0.2
done
echo "status after:"; for n in 0 1 2 3; do st $n | python3 -c 'import json,sys; d=json.load(sys.stdin); print("node", d["height"], "view", d["view"], d["quorum"].get("mode"), d.get("participation"))'; done
kill $demo; wait $demo 2>/dev/null
echo "logs: $dir"
