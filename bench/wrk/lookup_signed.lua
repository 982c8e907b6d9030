-- GET /lookup/{chain}/{key} with the three signed headers (one Ed25519 verify per request).
-- BENCH_FILE lines: "PATH REQUESTER TIMESTAMP SIGNATURE"; each thread takes every n-th line.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")

function init(args)
  local n = bench_threads()
  for _, line in ipairs(bench_lines(function(i, _) return i % n == tid end)) do
    local path, req, ts, sig = line:match("^(%S+) (%S+) (%S+) (%S+)$")
    reqs[#reqs + 1] = wrk.format("GET", path, {
      ["X-Kinmesh-Requester"] = req, ["X-Kinmesh-Timestamp"] = ts, ["X-Kinmesh-Signature"] = sig })
  end
end
