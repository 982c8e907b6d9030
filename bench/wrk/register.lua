-- POST /register with distinct pre-signed bodies. BENCH_FILE lines: "KEYIDX BODY", listed
-- round after round with increasing timestamps per key. A thread owns the keys with
-- KEYIDX mod threads == tid, so each key's rounds go out in order, from one thread, far apart:
-- every body is accepted once (no 409 replayed) until the thread wraps around (wraps > 0).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  local n = bench_threads()
  local headers = { ["Content-Type"] = "application/json" }
  for _, line in ipairs(bench_lines()) do
    local k, body = line:match("^(%d+) (.*)$")
    if tonumber(k) % n == tid then
      reqs[#reqs + 1] = wrk.format("POST", "/register", headers, body)
    end
  end
end
