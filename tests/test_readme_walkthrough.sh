#!/usr/bin/env bash
# README.md's "Run a relay, register a blockchain, find a node" walkthrough, run as a user pastes
# it. The code block is cut out of README.md here, so this test breaks when the README changes
# and the walkthrough no longer works. Two changes only: the relay's 127.0.0.1:5050 becomes a free
# port, and `../bin/kinmesh` runs the jar under test (a small bin/kinmesh in the temp dir). That
# bin/kinmesh starts the relay RELAY_DELAY seconds late (default 5), as a slow or busy machine
# does: a fault injected so that a block which runs its next command before the relay listens
# fails every time, not only when it loses the race. Each command must succeed (bash -e); the
# relay must stop on the block's own `kill %1`.
#   usage: tests/test_readme_walkthrough.sh [PORT]   (env KINMESH_JAR: the fat jar)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
jar="$(realpath "${KINMESH_JAR:-$root/target/kinmesh.jar}")"
[ -f "$jar" ] || { echo "FAIL: no jar at $jar (mvn -B package -DskipTests)" >&2; exit 2; }
port="${1:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}"
work="$(mktemp -d -t kinmesh-readme.XXXXXX)"
cleanup() {
  rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAILED (exit $rc); the block as run:" >&2
    cat -n "$work/walkthrough.sh" >&2 || true
    echo "---- its stdout" >&2; cat "$work/out.txt" >&2 || true
    echo "---- its stderr" >&2; cat "$work/err.txt" >&2 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# The first ```sh block after the heading, up to its closing fence.
block="$(awk '/^## Run a relay, register a blockchain, find a node$/ { s = 1; next }
              s && /^```sh$/ { c = 1; next }
              c && /^```$/ { exit }
              c { print }' "$root/README.md")"
[ -n "$block" ] || { echo "FAIL: README.md has no sh block under '## Run a relay, register a blockchain, find a node'" >&2; exit 1; }
grep -q '127\.0\.0\.1:5050' <<<"$block" \
  || { echo "FAIL: the README block no longer uses 127.0.0.1:5050; update the port substitution here" >&2; exit 1; }

mkdir "$work/bin"
printf '#!/bin/sh\n[ "$1" = relay ] && sleep %s\nexec java -jar "%s" "$@"\n' "${RELAY_DELAY:-5}" "$jar" \
  >"$work/bin/kinmesh"
chmod +x "$work/bin/kinmesh"
{
  # a failed command must not leave the background relay running
  echo 'trap '\''kill $(jobs -p) 2>/dev/null || true'\'' EXIT'
  sed "s/127\.0\.0\.1:5050/127.0.0.1:$port/g" <<<"$block"
  echo 'wait    # (test harness) the relay stops on the kill above'
} >"$work/walkthrough.sh"

(cd "$work" && timeout --kill-after=10 180 bash -e walkthrough.sh) >"$work/out.txt" 2>"$work/err.txt"

grep -q '"ip" : "203.0.113.7"' "$work/out.txt" \
  || { echo "FAIL: node B's lookup did not print node A's endpoint" >&2; exit 1; }
grep -q '"created" : true' "$work/out.txt" \
  || { echo "FAIL: the blockchain was not registered" >&2; exit 1; }
echo "PASS: the README walkthrough ran as pasted (relay on 127.0.0.1:$port)"
