# shellcheck shell=bash
# Shared by the bench/*.sh scripts; sourced, not run:
#   BENCH_LOG_TAG="[x-bench]"   # optional, before sourcing: the prefix of log lines (default "bench:")
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Sets ROOT (the repository, absolute) and moves there. Nothing here starts a process.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

log() { echo "${BENCH_LOG_TAG:-bench:} $*" >&2; }
die() { echo "${BENCH_LOG_TAG:-bench:} error: $*" >&2; exit 1; }
# field LINE NAME: the value of NAME=VALUE in a "KEY k=v k=v" line.
field() { sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<" $1"; }
# calc FORMAT EXPRESSION: awk arithmetic, printed with FORMAT.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
load_avg() { cut -d' ' -f1-3 /proc/loadavg; }

# bench_title TITLE: a report's first line: what, when, on what machine.
bench_title() {
  echo "$1  $(date -u '+%Y-%m-%d %H:%M:%SZ')  $(nproc) cores, $(uname -m), $(java -version 2>&1 | head -n1)"
}

# bench_mvn ARGS...: `mvn -B -q ARGS`, offline first (quick, no network), online when the offline
# run failed only because something is missing from the local repository: on a fresh machine it
# holds just what `bin/test` and `bin/kinmesh demo` downloaded, and dependency:build-classpath
# needs the dependency plugin, which their builds never use. Other failures are shown and passed
# on. Maven reads MAVEN_OPTS as always (e.g. -Dmaven.repo.local=DIR for another local repository).
bench_mvn() {
  local out rc
  out="$(mktemp -t bench-mvn.XXXXXX)"
  rc=0
  mvn -B -o -q "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && grep -qE "NoPluginFoundForPrefix|in offline mode|offline mode and the artifact" "$out"; then
    log "mvn $*: not in the local Maven repository yet; fetching it (online, once)"
    rc=0
    mvn -B -q "$@" >"$out" 2>&1 || rc=$?
  fi
  if [ "$rc" -ne 0 ]; then
    cat "$out" >&2
    log "mvn $* failed (exit $rc)"
  fi
  rm -f "$out"
  return "$rc"
}

# bench_test_compile: the test classes (the bench harnesses live in the test sources).
bench_test_compile() {
  log "mvn test-compile"
  bench_mvn test-compile || exit 1
}

# bench_test_classpath: sets CP to the test classpath with absolute paths (the NAT lab's processes
# start elsewhere). The dependencies are resolved once, and again when pom.xml changes.
bench_test_classpath() {
  if [ ! -s target/bench-test-classpath.txt ] || [ pom.xml -nt target/bench-test-classpath.txt ]; then
    log "resolving the test classpath"
    bench_mvn dependency:build-classpath -Dmdep.outputFile=target/bench-test-classpath.txt || exit 1
  fi
  # shellcheck disable=SC2034  # CP is the sourcing script's
  CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cat target/bench-test-classpath.txt)"
}

# bench_jar missing|stale: builds target/kinmesh.jar when it is missing or BENCH_REBUILD=1, and
# with "stale" also when src/main or pom.xml is newer than it.
bench_jar() {
  case "$1" in missing|stale) ;; *) die "bench_jar missing|stale, not '$1'" ;; esac
  if [ ! -f target/kinmesh.jar ] || [ "${BENCH_REBUILD:-0}" = 1 ] \
      || { [ "$1" = stale ] && [ -n "$(find src/main pom.xml -newer target/kinmesh.jar -print -quit)" ]; }; then
    log "building target/kinmesh.jar"
    bench_mvn package -DskipTests || exit 1
  fi
}

# bench_need COMMAND PACKAGE: installs the Debian package when the command is missing (as root
# with apt-get), or stops saying what to install.
bench_need() {
  command -v "$1" >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing $2 (Debian package)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
  else
    die "$1 not found: install the Debian package '$2' (apt-get install $2)"
  fi
}

# stop_pid PID: SIGTERM, SIGKILL when still there 10 s later; nothing when PID is empty or gone.
stop_pid() {
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.2; done
  kill -9 "$pid" 2>/dev/null || true
}

# bench_workdir PREFIX KEPT: makes WORK, a temp dir, and on exit stops the processes whose ids
# are in BENCH_PIDS (the script adds each server it starts) and removes WORK, unless BENCH_KEEP=1
# or the run failed: then it says so, and what WORK holds (KEPT).
BENCH_PIDS=()
bench_workdir() {
  WORK="$(mktemp -d -t "$1.XXXXXX")"
  BENCH_KEPT="$2"
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local rc=$? pid
  for pid in "${BENCH_PIDS[@]}"; do
    stop_pid "$pid"
  done
  if [ "${BENCH_KEEP:-0}" = 1 ] || [ "$rc" -ne 0 ]; then
    log "kept $WORK ($BENCH_KEPT)"
  else
    rm -rf "$WORK"
  fi
}

# bench_finish RC: the closing lines of a bench whose harness exits 3 when a target is missed:
# that is a report (exit 0) unless BENCH_STRICT=1; any other failure is passed on.
bench_finish() {
  echo "load average (end): $(load_avg)"
  if [ "$1" = 3 ]; then
    echo "at least one target missed (see FAIL above)"
    [ "${BENCH_STRICT:-0}" = 1 ] && exit 3
    exit 0
  fi
  exit "$1"
}
