-- Shared by the relay benchmark scripts (bench/relay-bench.sh sets the environment):
--   BENCH_LABEL    name printed in the result line
--   BENCH_FILE     input lines for this scenario (not used by baseline.lua)
--   BENCH_THREADS  the wrk -t value, so each thread can take its own share of the lines
-- Every scenario builds its requests in init() and returns a pre-formatted one from request(),
-- so wrk does the same per-request Lua work in every scenario, the baseline included.

local threads = {}
local next_tid = 0

function setup(thread)
  thread:set("tid", next_tid)
  next_tid = next_tid + 1
  table.insert(threads, thread)
end

-- Lines of BENCH_FILE as a list; with `mine`, only those mine(line_number_0based, line) accepts.
function bench_lines(mine)
  local out = {}
  local n = 0
  for line in io.lines(os.getenv("BENCH_FILE")) do
    if line ~= "" then
      if mine == nil or mine(n, line) then
        out[#out + 1] = line
      end
      n = n + 1
    end
  end
  return out
end

function bench_threads()
  return tonumber(os.getenv("BENCH_THREADS") or "1")
end

-- Cycles through a list of pre-formatted requests; counts how often it wrapped around.
reqs = {}
idx = 0
wraps = 0

function request()
  idx = idx + 1
  if idx > #reqs then
    idx = 1
    wraps = wraps + 1
  end
  return reqs[idx]
end

-- One machine-readable line per run; latencies in milliseconds.
function done(summary, latency, requests)
  local total_wraps = 0
  for _, t in ipairs(threads) do
    total_wraps = total_wraps + (t:get("wraps") or 0)
  end
  local e = summary.errors
  local secs = summary.duration / 1e6
  io.write(string.format(
    "BENCH label=%s requests=%d duration_s=%.3f rps=%.1f status_ge_400=%d socket_errors=%d timeouts=%d "
      .. "p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f wraps=%d\n",
    os.getenv("BENCH_LABEL") or "?", summary.requests, secs, summary.requests / secs, e.status,
    e.connect + e.read + e.write, e.timeout,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_wraps))
end
